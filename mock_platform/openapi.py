"""The OpenAPI document of the mock platform's JSON endpoints (`openapi.yaml`, shipped in this
package)."""

from __future__ import annotations

from importlib.resources import files

import yaml

OPENAPI: dict = yaml.safe_load(files("mock_platform").joinpath("openapi.yaml").read_text(encoding="utf-8"))
