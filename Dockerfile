# One image with both hosts; docker-compose.yml chooses which one a container runs.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# The Gateway's build bundles the dashboard with Node.js and npm.
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN dotnet publish Silo -c Release -o /app/silo && dotnet publish Gateway -c Release -o /app/gateway

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app /app
