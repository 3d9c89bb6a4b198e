"""Which filesystem holds a path, and the network and cluster filesystems SQLite's
locking is not safe on.

SQLite relies on POSIX advisory locks and, in WAL mode, on shared memory (the -shm file
mapped by every process): on a filesystem served by another machine (or by a FUSE
daemon speaking to one) the locks are missing, advisory only on one client, or lost on
reconnection, and two offices' clerks corrupt the file between them
(https://www.sqlite.org/useovernet.html). The list below is the one place that names
them; the type is read from /proc/self/mountinfo (the mount that holds the path: the
longest mount point that contains it), falling back to /proc/self/mounts.
"""

from __future__ import annotations

import re
from pathlib import Path

NETWORK_FILESYSTEMS = frozenset(
    {
        # NFS, SMB/CIFS and other file-sharing protocols (kernel clients)
        "nfs",
        "nfs4",
        "cifs",
        "smb3",
        "smbfs",
        "ncpfs",  # NetWare
        "afs",  # AFS / OpenAFS
        "coda",
        "9p",  # Plan 9 protocol: QEMU/virtio shares, WSL2's Windows drives
        "drvfs",  # WSL1's Windows drives
        "vboxsf",  # VirtualBox shared folders
        "vmhgfs",  # VMware shared folders
        "fuse.vmhgfs-fuse",
        "prl_fs",  # Parallels shared folders
        # FUSE clients of remote storage (the type is fuse.<program>)
        "sshfs",
        "fuse.sshfs",
        "fuse.gvfsd-fuse",  # GNOME's gvfs: SMB, WebDAV, SFTP shares opened in Files
        "davfs",  # WebDAV (davfs2)
        "fuse.davfs2",
        "fuse.davfs",
        "fuse.rclone",  # rclone mount: cloud drives, SFTP, SMB
        "fuse.s3fs",
        "fuse.goofys",
        "fuse.gcsfuse",
        "fuse.blobfuse",
        "fuse.blobfuse2",
        "fuse.curlftpfs",
        "fuse.google-drive-ocamlfuse",
        "fuse.onedriver",
        # cluster and parallel filesystems
        "glusterfs",
        "fuse.glusterfs",
        "ceph",
        "fuse.ceph",
        "fuse.ceph-fuse",
        "lustre",
        "gpfs",  # IBM Spectrum Scale
        "ocfs2",
        "gfs2",
        "beegfs",
        "fuse.beegfs",
        "orangefs",
        "pvfs2",
        "fuse.mfs",  # MooseFS
        "fuse.lizardfs",
        "juicefs",
        "fuse.juicefs",
        "fuse.seaweedfs",
        "fuse.weed",  # SeaweedFS
        "quobyte",
        "fuse.quobyte",
        "fuse.xtreemfs",
        "panfs",
    }
)

MOUNTINFO = Path("/proc/self/mountinfo")
MOUNTS = Path("/proc/self/mounts")
_OCTAL = re.compile(r"\\([0-7]{3})")


def decode_mount_field(field: str) -> str:
    """A mount point as the kernel writes it: space, tab, newline and backslash as a
    backslash and three octal digits (`\\040`, `\\011`, `\\012`, `\\134`)."""
    return _OCTAL.sub(lambda m: chr(int(m.group(1), 8)), field)


def parse_mountinfo(text: str) -> list[tuple[str, str]]:
    """(mount point, filesystem type) of each line of /proc/self/mountinfo:
    `36 35 98:0 /root /mnt rw,noatime master:1 - ext3 /dev/root rw` holds the mount point
    in field 5 and the type right after the ` - ` separator (optional fields between)."""
    found = []
    for line in text.splitlines():
        fields = line.split(" ")
        if len(fields) < 7 or "-" not in fields[6:]:
            continue
        dash = fields.index("-", 6)
        if dash + 1 >= len(fields):
            continue
        found.append((decode_mount_field(fields[4]), fields[dash + 1]))
    return found


def parse_mounts(text: str) -> list[tuple[str, str]]:
    """(mount point, filesystem type) of each line of /proc/self/mounts (fstab format:
    `source mountpoint type options 0 0`)."""
    found = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 3:
            found.append((decode_mount_field(fields[1]), fields[2]))
    return found


def mount_table(mountinfo: Path | None = None, mounts: Path | None = None) -> list[tuple[str, str]]:
    """The system's mounts, from mountinfo if it can be read, else from mounts."""
    for source, parse in (
        (mountinfo or MOUNTINFO, parse_mountinfo),
        (mounts or MOUNTS, parse_mounts),
    ):
        try:
            text = source.read_text(encoding="utf-8", errors="surrogateescape")
        except OSError:
            continue
        table = parse(text)
        if table:
            return table
    return []


def holding_mount(target: str, table: list[tuple[str, str]]) -> str | None:
    """The type of the mount holding `target` (an absolute path): the longest mount point
    that is `target` or one of its folders (the last such mount if one is stacked over
    another at the same point)."""
    best, kind = "", None
    for point, fstype in table:
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, fstype
    return kind


def filesystem_type(
    path: Path, mountinfo: Path | None = None, mounts: Path | None = None
) -> str | None:
    """The type of the filesystem holding `path` (Linux), if known."""
    return holding_mount(str(path.resolve()), mount_table(mountinfo, mounts))


def is_network_filesystem(kind: str | None) -> bool:
    return kind is not None and kind.lower() in NETWORK_FILESYSTEMS
