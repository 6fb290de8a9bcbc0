"""Target profiles: how peakload reaches a platform (`targets/*.yaml` are examples)."""

from targets.loader import load_profile, resolve_profile
from targets.profile import ProfileError, TargetProfile, TransportKind

__all__ = ["ProfileError", "TargetProfile", "TransportKind", "load_profile", "resolve_profile"]
