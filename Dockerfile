# One build, four images: docker build --target silo|web|executor|certs .
# The base images are build arguments whose defaults are Microsoft's official ones; scripts/compose-up.sh, on machines
# that cannot pull images, passes images it made locally (Debian + the host's .NET runtime).
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0
# Where the published binaries come from: "sdk" publishes inside SDK_IMAGE (the usual way); "host" takes what
# `dotnet publish` already wrote to .compose-publish/ on the building machine (scripts/compose-up.sh: no SDK image
# and no package restore inside a container there).
ARG PUBLISH_FROM=sdk

FROM ${SDK_IMAGE} AS publish-sdk
WORKDIR /src
COPY . .
RUN dotnet publish Silo/Silo.csproj -c Release -o /out/silo \
 && dotnet publish WebFrontend/WebFrontend.csproj -c Release -o /out/web \
 && dotnet publish Executor/Executor.csproj -c Release -o /out/executor

FROM scratch AS publish-host
COPY .compose-publish/ /out/

FROM publish-${PUBLISH_FROM} AS publish

FROM ${RUNTIME_IMAGE} AS silo
WORKDIR /app
COPY --from=publish /out/silo .
# 11111 silo-to-silo, 30000 Orleans client gateway, 7979 finger gateway, 8081 health and metrics (Health:Port)
EXPOSE 11111 30000 7979 8081
ENTRYPOINT ["dotnet", "Orleans.Zuul.Silo.dll"]

FROM ${RUNTIME_IMAGE} AS web
WORKDIR /app
COPY --from=publish /out/web .
EXPOSE 9000
ENV Urls=http://0.0.0.0:9000
ENTRYPOINT ["dotnet", "Orleans.Zuul.WebFrontend.dll"]

FROM ${RUNTIME_IMAGE} AS executor
WORKDIR /app
COPY --from=publish /out/executor .
# 7900 log streamer, 8082 health and metrics (Health:Port)
EXPOSE 7900 8082
VOLUME /var/lib/zuul/builds
ENV Executor__JobRoot=/var/lib/zuul/builds
ENTRYPOINT ["dotnet", "Orleans.Zuul.Executor.dll"]

# The one-shot service of docker-compose.yml that makes the development certificates (deploy/compose/make-certs.sh).
FROM ${RUNTIME_IMAGE} AS certs
RUN command -v openssl >/dev/null || { apt-get update && apt-get install -y --no-install-recommends openssl && rm -rf /var/lib/apt/lists/*; }
COPY deploy/compose/make-certs.sh /usr/local/bin/make-certs.sh
ENTRYPOINT ["/bin/sh", "/usr/local/bin/make-certs.sh", "/certs"]
