"""The capture module (CAPTURE.md): SBI 0.9.5 to the devices, the per-station capture agent
(kcap/1) and the formats both ends share. Plain Python except `agent` and `sim` (Flask apps of
their own); the portal imports only `sbi` and `packet` from here (import-linter contract)."""
