"""IMG-META-006: a C2PA manifest (content credentials) embedded in a JPEG, validated with the
C2PA SDK (``c2pa-python``) when it is installed."""

from __future__ import annotations

import importlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from scrutiny.checks.base import Context, Item, ItemCheck
from scrutiny.checks.image.jpeg import JPEG, evidence, file_name, item_bytes
from scrutiny.core import Finding, Severity

# The SDK is asked not to fetch anything: no remote manifest, no OCSP. With no trust list
# configured, a signing certificate can be checked but never found trusted.
SETTINGS = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}
MAX_LISTED = 12


@dataclass
class Segments:
    """The APP11 segments of a JPEG that carry JUMBF boxes (ISO/IEC 19566-5)."""

    count: int = 0
    size: int = 0
    c2pa: bool = False        # a JUMBF box labelled "c2pa" (the manifest store)
    labels: list[str] = field(default_factory=list)


def jumbf_segments(data: bytes) -> Segments:
    """Walk the marker segments before the first scan and collect the APP11 ones that hold
    JUMBF (common identifier "JP"), noting whether a C2PA manifest store is among them."""
    out = Segments()
    pos, size = 2, len(data)
    while pos + 4 <= size and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        if marker in (0xD9, 0xDA) or 0xD0 <= marker <= 0xD8 or marker == 0x01:
            break
        end = pos + 2 + int.from_bytes(data[pos + 2:pos + 4], "big")
        if end > size:
            break
        if marker == 0xEB and data[pos + 4:pos + 6] == b"JP":
            payload = data[pos + 4:end]
            out.count += 1
            out.size += len(payload)
            if b"jumb" in payload[:64]:
                label_at = payload.find(b"jumd")
                if label_at >= 0:
                    label = payload[label_at + 4 + 16 + 1:label_at + 4 + 16 + 1 + 64]
                    text = label.split(b"\x00", 1)[0].decode("utf-8", "replace")
                    if text and text not in out.labels:
                        out.labels.append(text)
                    out.c2pa |= text == "c2pa"
        pos = end
    return out


def _sdk() -> Any | None:
    """The ``c2pa`` module, or ``None`` when c2pa-python is not installed."""
    try:
        return importlib.import_module("c2pa")
    except ImportError:
        return None


def validate(data: bytes, mime: str = "image/jpeg") -> dict[str, Any]:
    """What the C2PA SDK says about the manifest store in ``data``: validation state
    ("Invalid", "Valid" or "Trusted"), failure and success codes, the active manifest's
    claim generator, title, signer and actions. ``{"sdk": None}`` without the SDK;
    ``{"error": …}`` when it cannot read the store."""
    sdk = _sdk()
    if sdk is None:
        return {"sdk": None}
    out: dict[str, Any] = {"sdk": str(getattr(sdk, "sdk_version", lambda: "?")())}
    try:
        settings = sdk.Settings.from_dict(SETTINGS)
        context = sdk.Context(settings=settings)
        reader = sdk.Reader(mime, io.BytesIO(data), context=context)
    except Exception as exc:   # the SDK raises its own errors for malformed stores
        return out | {"error": f"{type(exc).__name__}: {exc}"}
    try:
        store = json.loads(reader.json())
    finally:
        reader.close()
    out["state"] = store.get("validation_state")
    results = store.get("validation_results") or {}
    active = results.get("activeManifest") or {}
    out["failures"] = [{"code": r.get("code"), "explanation": r.get("explanation")}
                       for r in active.get("failure") or []][:MAX_LISTED]
    out["successes"] = sorted({str(r.get("code")) for r in active.get("success") or []})
    manifests = store.get("manifests") or {}
    label = store.get("active_manifest")
    manifest = manifests.get(label) if isinstance(manifests, dict) else None
    out["manifests"] = len(manifests) if isinstance(manifests, dict) else 0
    if isinstance(manifest, dict):
        info = manifest.get("claim_generator_info") or []
        names = [" ".join(str(g.get(k, "")) for k in ("name", "version")).strip()
                 for g in info if isinstance(g, dict)]
        out["claim_generator"] = manifest.get("claim_generator") or ", ".join(names) or None
        out["title"] = manifest.get("title")
        signature = manifest.get("signature_info") or {}
        out["signer"] = {k: signature.get(k) for k in ("issuer", "common_name", "time", "alg")
                         if signature.get(k)}
        actions: list[str] = []
        for assertion in manifest.get("assertions") or []:
            if str(assertion.get("label", "")).startswith("c2pa.actions"):
                for action in (assertion.get("data") or {}).get("actions") or []:
                    actions.append(str(action.get("action")))
        out["actions"] = actions[:MAX_LISTED]
        out["ingredients"] = len(manifest.get("ingredients") or [])
    return out


class ContentCredentials(ItemCheck):
    """A C2PA manifest (content credentials) is embedded in the photo: what it claims and
    whether it validates.

    **Method.** C2PA (the Coalition for Content Provenance and Authenticity) embeds a signed
    manifest store in JPEG files as JUMBF boxes in APP11 segments. The check looks for APP11
    segments among those extraction listed and, when there are any, walks the file's header
    for JUMBF boxes and a manifest store labelled "c2pa". When the C2PA SDK (c2pa-python) is
    installed, it validates the store — with network access turned off (no remote manifests,
    no certificate revocation checks) and no trust list — and reports the validation state
    and failures, the claim generator (the program or device that made the claim), the
    signer named in the certificate, and the actions recorded (created, opened, edited,
    cropped …). An `Invalid` state (the file no longer matches what was signed, or the
    manifest is malformed) is a `warning`; a manifest that validates, or one that could not
    be validated (no SDK), is a `notice`: it is rare in police photos and says where the
    file claims to come from. Photos without a manifest are not reported: almost no camera
    writes one.

    **What it can show.** A signed statement of the file's origin and history, and whether
    the file has changed since it was signed (a hash over the picture and its metadata).

    **What it cannot show.** That the statement is true or the signer who they say they are.
    Without a trust list of certificate authorities, which scrutiny does not configure, any
    signature reads as *untrusted* (failure ``signingCredential.untrusted``) even when it is
    valid: state `Valid` means the signature and hashes check out, not that the signer is
    known. Anyone can sign a manifest with their own certificate, and removing a manifest
    leaves no trace, so its absence shows nothing.

    **References.** C2PA Technical Specification 2.1 (2024), §11 (embedding in JPEG: JUMBF
    in APP11) and §15 (validation states and status codes); ISO/IEC 19566-5 (JUMBF);
    c2pa-python and c2pa-rs (Content Authenticity Initiative).
    """

    code = "IMG-META-006"
    title = "C2PA content credentials"
    applies_to: ClassVar[tuple[str, ...]] = JPEG
    version = "1"
    severity: ClassVar[Severity] = Severity.NOTICE

    def run(self, item: Item, ctx: Context) -> Iterator[Finding]:
        apps = item.meta.get("JPEG:AppSegments")
        if not isinstance(apps, list) or not any(str(a).startswith("APP11") for a in apps):
            return
        data = item_bytes(item, ctx)
        segments = jumbf_segments(data)
        if segments.count == 0:
            return
        found = {"jumbf_segments": segments.count, "jumbf_bytes": segments.size,
                 "jumbf_labels": segments.labels, "c2pa_label": segments.c2pa}
        name = file_name(item)
        if not segments.c2pa:
            yield self.finding(
                item.subject, "JUMBF data without a C2PA manifest",
                f"{name} carries {segments.count} APP11 segment(s) of JUMBF data "
                f"({segments.size:,} bytes, labels {', '.join(segments.labels) or 'none'}) but "
                "no C2PA manifest store: JPEG 360, JPEG XT or another JUMBF user wrote them.",
                evidence(item, **found), Severity.INFO)
            return
        result = validate(data)
        found |= result
        intro = (f"{name} carries a C2PA manifest store (content credentials) in "
                 f"{segments.count} APP11 segment(s), {segments.size:,} bytes.")
        if result.get("sdk") is None:
            yield self.finding(
                item.subject, "C2PA manifest present, not validated",
                f"{intro} The C2PA SDK (c2pa-python) is not installed, so it was not validated: "
                "install scrutiny's c2pa extra to read and verify it.",
                evidence(item, **found))
            return
        if "error" in result:
            yield self.finding(
                item.subject, "C2PA manifest cannot be read",
                f"{intro} The C2PA SDK could not read it ({result['error']}): it is malformed, "
                "truncated, or of a version the SDK does not know.",
                evidence(item, **found), Severity.WARNING)
            return
        state = str(result.get("state") or "unknown")
        failures = [str(f["code"]) for f in result.get("failures", [])]
        untrusted = "signingCredential.untrusted" in failures
        other = [f for f in failures if f != "signingCredential.untrusted"]
        claims = []
        if result.get("claim_generator"):
            claims.append(f"made by \u201c{result['claim_generator']}\u201d")
        signer = result.get("signer") or {}
        if signer.get("common_name") or signer.get("issuer"):
            claims.append("signed by \u201c" + " / ".join(
                str(signer[k]) for k in ("common_name", "issuer") if signer.get(k)) + "\u201d")
        if result.get("actions"):
            claims.append("recording the actions " + ", ".join(result["actions"]))
        said = (" It claims to be " + "; ".join(claims) + "." if claims else "")
        trust = (" The signing certificate reads as untrusted because scrutiny uses no trust "
                 "list of certificate authorities: that is expected, and says nothing about "
                 "the signer either way." if untrusted else "")
        if state == "Invalid":
            yield self.finding(
                item.subject, "C2PA manifest does not validate",
                f"{intro}{said} Validation fails: {', '.join(other) or 'state Invalid'}. The "
                "file was changed after it was signed, or the manifest is broken or "
                f"forged.{trust}", evidence(item, **found), Severity.WARNING)
            return
        yield self.finding(
            item.subject, "C2PA manifest present",
            f"{intro}{said} Validation state: {state} — the signature and the hashes over "
            f"the file check out{' apart from ' + ', '.join(other) if other else ''}.{trust} "
            "A manifest is a claim by whoever signed it; read it as such.",
            evidence(item, **found))


C2PA_CHECKS = (ContentCredentials,)
