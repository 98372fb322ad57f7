// The in-container agent; see docs/agent-protocol.md.
