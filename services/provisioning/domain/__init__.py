"""Plain provisioning logic: no nameko imports, unit-tested without a broker."""
