"""The injection classifier: a hashed n-gram logistic regression read from a small ``.npz`` file.

The file holds ``weights`` (float16, one per hash bucket), ``bias`` and ``meta`` (a JSON string): the feature
config, the calibration (``p = sigmoid(scale * margin + offset + rule_boost * rule_hit)``, fitted on dev), the
thresholds chosen on dev and the window geometry. Nothing is downloaded and nothing is pickled; numpy is the only
run-time dependency.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from wardgate.errors import ConfigError
from wardgate.scanners.injection.features import FeatureConfig, feature_indices

MODEL_FILENAME = "model.npz"
FORMAT = "wardgate-injection-v1"


@dataclass(frozen=True, slots=True)
class Calibration:
    scale: float
    offset: float
    rule_boost: float

    def probability(self, margin: float, rule_hit: bool = False) -> float:
        z = self.scale * margin + self.offset + (self.rule_boost if rule_hit else 0.0)
        return _sigmoid(z)


@dataclass(frozen=True, slots=True)
class ModelMeta:
    features: FeatureConfig
    calibration: Calibration
    threshold_user: float
    threshold_untrusted: float
    window_size: int
    window_step: int
    info: dict[str, Any]

    @classmethod
    def from_json(cls, raw: str) -> ModelMeta:
        data = json.loads(raw)
        if data.get("format") != FORMAT:
            raise ValueError("unknown model format")
        cal = data["calibration"]
        meta = cls(
            features=FeatureConfig.from_dict(data["features"]),
            calibration=Calibration(float(cal["scale"]), float(cal["offset"]), float(cal["rule_boost"])),
            threshold_user=float(data["threshold_user"]),
            threshold_untrusted=float(data["threshold_untrusted"]),
            window_size=int(data["window_size"]),
            window_step=int(data["window_step"]),
            info=dict(data.get("info", {})),
        )
        if not (0.0 < meta.threshold_untrusted <= meta.threshold_user < 1.0):
            raise ValueError("thresholds must satisfy 0 < untrusted <= user < 1")
        if not 0 < meta.window_step <= meta.window_size:
            raise ValueError("bad window geometry")
        return meta

    def to_json(self) -> str:
        cal = self.calibration
        data = {
            "format": FORMAT,
            "features": self.features.to_dict(),
            "calibration": {"scale": cal.scale, "offset": cal.offset, "rule_boost": cal.rule_boost},
            "threshold_user": self.threshold_user,
            "threshold_untrusted": self.threshold_untrusted,
            "window_size": self.window_size,
            "window_step": self.window_step,
            "info": self.info,
        }
        return json.dumps(data, sort_keys=True, ensure_ascii=True)


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


class InjectionModel:
    """Linear model over hashed features. Immutable after construction; safe to share between threads."""

    def __init__(self, weights: npt.NDArray[np.float32], bias: float, meta: ModelMeta) -> None:
        if weights.shape != (meta.features.dim,):
            raise ValueError("weights do not match the feature dimension")
        self._weights = weights
        self._bias = bias
        self.meta = meta

    @classmethod
    def load(cls, path: str | Path | None = None) -> InjectionModel:
        """Read a model file; ``None`` reads the one shipped inside the package."""
        if path is None:
            with resources.as_file(resources.files(__package__ or "wardgate.scanners.injection") / MODEL_FILENAME) as p:
                return cls._read(Path(p))
        return cls._read(Path(path))

    @classmethod
    def _read(cls, path: Path) -> InjectionModel:
        try:
            with np.load(path, allow_pickle=False) as data:
                weights = np.asarray(data["weights"], dtype=np.float32)
                bias = float(data["bias"])
                meta = ModelMeta.from_json(str(data["meta"]))
            return cls(weights, bias, meta)
        except (OSError, KeyError, ValueError, TypeError) as exc:
            raise ConfigError(f"{path}: injection model file is missing or invalid ({type(exc).__name__})") from exc

    @property
    def weights(self) -> npt.NDArray[np.float32]:
        return self._weights

    @property
    def bias(self) -> float:
        return self._bias

    def save(self, path: str | Path) -> None:
        """Write the ``.npz`` (float16 weights) with fixed zip timestamps, so equal models give equal bytes."""
        arrays: dict[str, npt.NDArray[Any]] = {
            "weights": self._weights.astype(np.float16),
            "bias": np.array(self._bias, dtype=np.float32),
            "meta": np.array(self.meta.to_json()),
        }
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, array in arrays.items():
                buf = io.BytesIO()
                np.lib.format.write_array(buf, array, allow_pickle=False)
                info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, buf.getvalue(), compresslevel=9)

    def margin_of(self, indices: npt.NDArray[np.int64]) -> float:
        """Raw logistic margin for pre-computed feature indices (binary features, L2-normalized)."""
        if indices.shape[0] == 0:
            return self._bias
        return self._bias + float(self._weights[indices].sum()) / math.sqrt(indices.shape[0])

    def margin(self, text: str) -> float:
        return self.margin_of(feature_indices(text, self.meta.features))

    def predict(self, text: str) -> float:
        """Calibrated probability in [0, 1] that ``text`` (one window's worth) is an injection, model only."""
        return self.meta.calibration.probability(self.margin(text))
