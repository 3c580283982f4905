# One build, three images: docker build --target silo|web|executor .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish Silo/Silo.csproj -c Release -o /out/silo \
 && dotnet publish WebFrontend/WebFrontend.csproj -c Release -o /out/web \
 && dotnet publish Executor/Executor.csproj -c Release -o /out/executor

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS silo
WORKDIR /app
COPY --from=build /out/silo .
# 11111 silo-to-silo, 30000 Orleans client gateway, 7979 finger gateway
EXPOSE 11111 30000 7979
ENTRYPOINT ["dotnet", "Orleans.Zuul.Silo.dll"]

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS web
WORKDIR /app
COPY --from=build /out/web .
EXPOSE 9000
ENV Urls=http://0.0.0.0:9000
ENTRYPOINT ["dotnet", "Orleans.Zuul.WebFrontend.dll"]

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS executor
WORKDIR /app
COPY --from=build /out/executor .
EXPOSE 7900
VOLUME /var/lib/zuul/builds
ENV Executor__JobRoot=/var/lib/zuul/builds
ENTRYPOINT ["dotnet", "Orleans.Zuul.Executor.dll"]
