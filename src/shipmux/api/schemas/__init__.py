"""Request and response models, one module per resource, so OpenAPI documents them."""
