// The credential proxy module; see docs/agent-protocol.md (proxy.sock).
