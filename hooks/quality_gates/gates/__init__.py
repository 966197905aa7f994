"""One module per gate, each exposing measure(request) -> GateResult."""
