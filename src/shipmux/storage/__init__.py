"""shipmux.storage."""
