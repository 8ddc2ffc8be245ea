"""Platform operators: tenants provisioned from their files (tenants/*.toml) or through the API."""
