# Local base images for docker-compose.yml on machines that cannot pull any (sourced by scripts/compose-up.sh).
# Each is made once and kept in Podman's image store; a later run finds it and skips the work:
#   localhost/orleans-zuul-base/debian:bookworm     debootstrap --variant=minbase from the Debian mirror apt uses
#   localhost/orleans-zuul-base/aspnet:<version>    that + this machine's .NET and ASP.NET Core runtimes
#                                                   (stands in for mcr.microsoft.com/dotnet/aspnet:10.0)
#   localhost/orleans-zuul-base/zookeeper:3.8       that + Debian's zookeeper, started like the official image
#                                                   (stands in for zookeeper:3.8: reads /conf/zoo.cfg, runs as uid 1000)

BASE_PREFIX=localhost/orleans-zuul-base
# The ulimits every container (builds included) needs under Podman here (see docker-compose.yml).
ULIMITS=(--ulimit nofile=20000:20000 --ulimit nproc=4096:4096)

debian_mirror() {  # the first Debian mirror of apt's sources
  local uri
  uri=$(grep -h -E '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
    | grep -o -E 'https?://[^ ]+' | grep -v -- '-security' | head -n 1)
  echo "${uri:-http://deb.debian.org/debian}"
}

make_debian_image() {
  local image=$BASE_PREFIX/debian:bookworm
  podman image exists "$image" && return 0
  echo "compose: making $image with debootstrap (once; a few minutes)"
  local root
  root=$(mktemp -d /var/tmp/orleans-zuul-rootfs.XXXXXX)
  # ca-certificates/openssl: the certs service and TLS; libicu72: .NET globalization; bash: the health checks.
  debootstrap --variant=minbase --include=ca-certificates,libicu72,libssl3,openssl,tzdata,bash \
    bookworm "$root" "$(debian_mirror)" >"$RUN_DIR/debootstrap.log" 2>&1 \
    || { echo "compose: debootstrap failed, see $RUN_DIR/debootstrap.log" >&2; rm -rf "$root"; return 1; }
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -c . | podman import --change 'CMD ["/bin/bash"]' - "$image" >/dev/null
  rm -rf "$root"
}

runtime_image() {  # the name of the aspnet stand-in for this machine's ASP.NET Core runtime
  local version
  version=$(dotnet --list-runtimes | awk '$1 == "Microsoft.AspNetCore.App" && $2 ~ /^10\./ {v=$2} END {print v}')
  [ -n "$version" ] || { echo "compose: no ASP.NET Core 10 runtime here (dotnet --list-runtimes)" >&2; return 1; }
  echo "$BASE_PREFIX/aspnet:$version"
}

make_runtime_image() {
  local image root context
  image=$(runtime_image)
  podman image exists "$image" && return 0
  echo "compose: making $image from this machine's .NET"
  root=$(dirname "$(readlink -f "$(command -v dotnet)")")
  context=$(mktemp -d /var/tmp/orleans-zuul-aspnet.XXXXXX)
  mkdir -p "$context/dotnet/shared"
  cp -a "$root/dotnet" "$root/host" "$root/LICENSE.txt" "$context/dotnet/"
  cp -a "$root/shared/Microsoft.NETCore.App" "$root/shared/Microsoft.AspNetCore.App" "$context/dotnet/shared/"
  cat >"$context/Containerfile" <<'CONTAINERFILE'
FROM localhost/orleans-zuul-base/debian:bookworm
COPY dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
# As Microsoft's images: listen on 8080 unless told otherwise, know they run in a container.
ENV ASPNETCORE_HTTP_PORTS=8080 DOTNET_RUNNING_IN_CONTAINER=true
CONTAINERFILE
  podman build -q "${ULIMITS[@]}" -t "$image" "$context" >/dev/null
  rm -rf "$context"
}

make_zookeeper_image() {
  local image=$BASE_PREFIX/zookeeper:3.8 context
  podman image exists "$image" && return 0
  echo "compose: making $image with Debian's zookeeper"
  context=$(mktemp -d /var/tmp/orleans-zuul-zookeeper.XXXXXX)
  cat >"$context/Containerfile" <<'CONTAINERFILE'
FROM localhost/orleans-zuul-base/debian:bookworm
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      zookeeper openjdk-17-jre-headless libnetty-java libslf4j-java >/dev/null \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb \
 && mkdir -p /data /conf && chown 1000:1000 /data
# Debian's zookeeper.jar manifest lacks netty-codec and netty-resolver, which the TLS port needs.
CMD ["java", "-Xmx256m", "-Dzookeeper.jmx.log4j.disable=true", \
     "-cp", "/usr/share/java/zookeeper.jar:/usr/share/java/zookeeper-jute.jar:/usr/share/java/slf4j-api.jar:/usr/share/java/slf4j-simple.jar:/usr/share/java/netty-codec.jar:/usr/share/java/netty-resolver.jar", \
     "org.apache.zookeeper.server.ZooKeeperServerMain", "/conf/zoo.cfg"]
USER 1000
VOLUME /data
CONTAINERFILE
  podman build -q "${ULIMITS[@]}" -t "$image" "$context" >/dev/null
  rm -rf "$context"
}
