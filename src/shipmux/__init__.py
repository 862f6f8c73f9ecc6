"""shipmux: a self-hosted multi-carrier shipping hub."""
