# Build with the SDK, run on the smaller ASP.NET runtime image.
# LHC-Forms (the patient form's renderer) comes from npm at the version the lock file pins; only its prebuilt files ship.
FROM node:22-bookworm-slim AS lforms
WORKDIR /lforms
COPY src/AllianceFhir.Api/App/Assets/lforms/package.json src/AllianceFhir.Api/App/Assets/lforms/package-lock.json ./
RUN npm ci --legacy-peer-deps --no-audit --no-fund

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig AllianceFhir.sln ./
COPY src/ src/
RUN dotnet restore src/AllianceFhir.Api/AllianceFhir.Api.csproj
RUN dotnet publish src/AllianceFhir.Api/AllianceFhir.Api.csproj -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
COPY --from=lforms /lforms/node_modules/lforms/dist/lforms /app/lforms
# The SQLite database lives in a volume so it outlives the container; the app user owns it.
RUN mkdir -p /app/data && chown -R app:app /app/data
VOLUME ["/app/data"]
USER app
ENV ASPNETCORE_URLS=http://+:8080 \
    ConnectionStrings__Fhir="Data Source=/app/data/alliancefhir.db" \
    App__LFormsFolder=/app/lforms
EXPOSE 8080
# The runtime image has no curl; the healthcheck uses bash's /dev/tcp to ask /healthz and expects "Healthy".
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && grep -q Healthy <&3"]
ENTRYPOINT ["dotnet", "AllianceFhir.Api.dll"]
