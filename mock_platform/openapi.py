"""The OpenAPI document of the mock platform's JSON endpoints (`openapi.yaml` beside this file)."""

from __future__ import annotations

from pathlib import Path

import yaml

OPENAPI: dict = yaml.safe_load((Path(__file__).parent / "openapi.yaml").read_text(encoding="utf-8"))
