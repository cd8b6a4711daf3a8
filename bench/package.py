"""Builds the benchmark's deployment zips the way they would be uploaded to Lambda.

usage: package.py BOOTSTRAP PEER_DIR OUT_DIR

- bootstrap.zip: the release binary stored as `bootstrap` (what cargo lambda uploads for provided.al2023);
- peer-handler.zip: handler.py alone (the managed Python runtime ships boto3);
- peer-bundle.zip: handler.py plus boto3 and everything it requires (pinning your own boto3), without
  byte-code caches.
Compression is deflate at zlib's default level, like the zip tool.
"""

import sys
import zipfile
from importlib import metadata
from pathlib import Path


def requirements(name, seen):
    key = name.lower().replace("_", "-")
    if key in seen:
        return
    dist = metadata.distribution(name)
    seen[key] = dist
    for requirement in dist.requires or []:
        if "extra ==" in requirement:
            continue
        dep = requirement.split(";")[0].strip()
        for sep in "<>=!~[ (":
            dep = dep.split(sep)[0]
        requirements(dep, seen)


def main(bootstrap, peer_dir, out_dir):
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    handler = Path(peer_dir) / "handler.py"
    with zipfile.ZipFile(out / "bootstrap.zip", "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo.from_file(bootstrap, arcname="bootstrap")
        info.external_attr = 0o100755 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, Path(bootstrap).read_bytes())
    with zipfile.ZipFile(out / "peer-handler.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.write(handler, "handler.py")
    seen = {}
    requirements("boto3", seen)
    with zipfile.ZipFile(out / "peer-bundle.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.write(handler, "handler.py")
        for dist in seen.values():
            for file in dist.files or []:
                if "__pycache__" in file.parts or file.suffix == ".pyc" or str(file).startswith(".."):
                    continue
                z.write(file.locate(), str(file))
    print(" ".join(sorted(seen)))


if __name__ == "__main__":
    main(*sys.argv[1:4])
