"""shipmux.services."""
