"""Camera driver: capture (devices, files, streams, ``sim:``), the QR decoder cascade, the
code acceptor and the scan worker. No Qt, no database, no kiosk imports."""

from drivers.camera.acceptor import CodeAcceptor, Verifier
from drivers.camera.backends import DecoderUnavailable, QRDecoder, make_decoder
from drivers.camera.capture import Capture, CaptureListener, CaptureOptions, open_source
from drivers.camera.decoder import DEFAULT_STAGES, DecoderCascade, Stage, to_gray
from drivers.camera.result import DecodeResult
from drivers.camera.simcamera import SimulatedCamera
from drivers.camera.sources import FrameSource, OpenCVSource
from drivers.camera.worker import ScanListener, ScanWorker
from drivers.device import DeviceState

__all__ = [
    "DEFAULT_STAGES",
    "Capture",
    "CaptureListener",
    "CaptureOptions",
    "CodeAcceptor",
    "DecodeResult",
    "DecoderCascade",
    "DecoderUnavailable",
    "DeviceState",
    "FrameSource",
    "OpenCVSource",
    "QRDecoder",
    "ScanListener",
    "ScanWorker",
    "SimulatedCamera",
    "Stage",
    "Verifier",
    "make_decoder",
    "open_source",
    "to_gray",
]
