"""Where registry facts come from: fixture files (`fixtures`) or the HTTP gateway (`http`);
`environment` picks one from EREJE_REGISTRY_URL."""
