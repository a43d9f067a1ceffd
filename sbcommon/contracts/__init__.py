"""Pydantic models for RPC and event payloads, shared by services and the gateway."""
