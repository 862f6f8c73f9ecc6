"""shipmux.worker."""
