"""Writing a file so that a crash or a full disk never leaves half of it: one writer for every file peerkit makes.

The text goes to a temporary file in the same folder, is flushed and fsync'd, then
renamed over the target (atomic on POSIX), and the folder itself is fsync'd so the
rename survives a power cut. The file is readable by its owner alone (0600), since
what peerkit writes for a learner (portfolios, hand-in files, exports) is personal.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> path = write_atomic(folder / "note.txt", "hello")
>>> path.read_text(), oct(path.stat().st_mode & 0o777)
('hello', '0o600')
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

#: Owner read and write only.
PRIVATE_FILE_MODE = 0o600
#: Owner only, for the folders peerkit makes for a learner.
PRIVATE_FOLDER_MODE = 0o700


def fsync_folder(folder: Path) -> None:
    """Make a rename or a new file in ``folder`` durable (a no-op where folders cannot be opened)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some filesystems do not fsync folders; the rename itself has happened
    finally:
        os.close(descriptor)


def write_atomic(path: str | Path, content: str | bytes, *, mode: int = PRIVATE_FILE_MODE,
                 encoding: str = "utf-8") -> Path:
    """Write ``content`` to ``path`` all at once or not at all, and return the path.

    Raises ``OSError`` (nothing at ``path`` changed) when the folder cannot be written.
    """
    target = Path(path)
    data = content.encode(encoding) if isinstance(content, str) else content
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
    fsync_folder(target.parent)
    return target
