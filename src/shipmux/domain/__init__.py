"""shipmux.domain."""
