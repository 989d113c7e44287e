//! Host-side access to the files in a box.
//!
//! The box is written by untrusted code between our accesses, so every path is resolved
//! with `openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
//! RESOLVE_NO_XDEV)` from a descriptor of the box root, every file is checked with `fstat`
//! before it is read, and ownership is set on descriptors, never on paths. Nothing here
//! deletes: a box is emptied by unmounting its tmpfs. (Judge0's CVE-2024-28185, -28189 and
//! -29021 were all host-side path handling.)

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Component, Path};

use judgebox_spec::BoxFile;
use nix::errno::Errno;
use nix::fcntl::{openat2, OFlag, OpenHow, ResolveFlag};
use nix::sys::stat::{fstat, mkdirat, Mode, SFlag};
use nix::unistd::{fchown, Gid, Uid};

#[derive(Debug, thiserror::Error)]
pub enum BoxFsError {
    #[error(
        "box path {path:?} is not a plain relative path (no '..', no leading '/', no empty parts)"
    )]
    BadPath { path: String },
    #[error("box path {path:?}: {errno}")]
    Sys { path: String, errno: Errno },
    #[error("box path {path:?} is not a regular file")]
    NotRegular { path: String },
    #[error("box file {path:?} is {size} bytes, more than the {max} allowed")]
    TooLarge { path: String, size: u64, max: u64 },
    #[error("box file {path:?}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

const RESOLVE: ResolveFlag = ResolveFlag::RESOLVE_BENEATH
    .union(ResolveFlag::RESOLVE_NO_SYMLINKS)
    .union(ResolveFlag::RESOLVE_NO_MAGICLINKS)
    .union(ResolveFlag::RESOLVE_NO_XDEV);

/// The parts of a relative box path, or an error if it is anything else.
fn parts(path: &str) -> Result<Vec<&str>, BoxFsError> {
    let bad = || BoxFsError::BadPath {
        path: path.to_string(),
    };
    if path.is_empty() || path.len() > BoxFile::MAX_PATH || path.contains('\0') {
        return Err(bad());
    }
    let mut out = Vec::new();
    for comp in Path::new(path).components() {
        match comp {
            Component::Normal(p) => out.push(p.to_str().ok_or_else(bad)?),
            Component::CurDir => {}
            _ => return Err(bad()),
        }
    }
    if out.is_empty()
        || out.len() > BoxFile::MAX_DEPTH
        || out.iter().any(|p| p.len() > BoxFile::MAX_NAME)
    {
        return Err(bad());
    }
    Ok(out)
}

fn open_beneath(dir: &impl AsFd, rel: &str, flags: OFlag, mode: Mode) -> Result<OwnedFd, Errno> {
    let how = OpenHow::new()
        .flags(flags | OFlag::O_CLOEXEC)
        .mode(mode)
        .resolve(RESOLVE);
    openat2(dir.as_fd(), rel, how)
}

/// Creates `path` under the box root with `content`, making missing parent directories.
/// Fails if the file exists; everything created is owned by `uid`/`gid`.
pub fn write_file(
    root: &impl AsFd,
    path: &str,
    content: &[u8],
    executable: bool,
    uid: Uid,
    gid: Gid,
) -> Result<(), BoxFsError> {
    let names = parts(path)?;
    let sys = |errno| BoxFsError::Sys {
        path: path.to_string(),
        errno,
    };
    let dir_flags = OFlag::O_PATH | OFlag::O_DIRECTORY;
    let mut dir = open_beneath(root, ".", dir_flags, Mode::empty()).map_err(sys)?;
    let (file, parents) = names.split_last().expect("parts() returns at least one");
    for name in parents {
        match mkdirat(dir.as_fd(), *name, Mode::from_bits_truncate(0o755)) {
            Ok(()) => {
                let made = open_beneath(
                    &dir,
                    name,
                    OFlag::O_RDONLY | OFlag::O_DIRECTORY,
                    Mode::empty(),
                )
                .map_err(sys)?;
                fchown(made.as_fd(), Some(uid), Some(gid)).map_err(sys)?;
            }
            Err(Errno::EEXIST) => {}
            Err(e) => return Err(sys(e)),
        }
        dir = open_beneath(&dir, name, dir_flags, Mode::empty()).map_err(sys)?;
    }
    let mode = Mode::from_bits_truncate(if executable { 0o755 } else { 0o644 });
    let fd = open_beneath(
        &dir,
        file,
        OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_EXCL,
        mode,
    )
    .map_err(sys)?;
    fchown(fd.as_fd(), Some(uid), Some(gid)).map_err(sys)?;
    File::from(fd)
        .write_all(content)
        .map_err(|source| BoxFsError::Io {
            path: path.to_string(),
            source,
        })
}

/// Reads a regular file of at most `max` bytes from under the box root.
pub fn read_file(root: &impl AsFd, path: &str, max: u64) -> Result<Vec<u8>, BoxFsError> {
    parts(path)?;
    let sys = |errno| BoxFsError::Sys {
        path: path.to_string(),
        errno,
    };
    // O_NONBLOCK: opening a FIFO planted under the name must not hang the jail.
    let fd = open_beneath(
        root,
        path,
        OFlag::O_RDONLY | OFlag::O_NOFOLLOW | OFlag::O_NONBLOCK | OFlag::O_NOCTTY,
        Mode::empty(),
    )
    .map_err(sys)?;
    let st = fstat(fd.as_fd()).map_err(sys)?;
    if SFlag::from_bits_truncate(st.st_mode) & SFlag::S_IFMT != SFlag::S_IFREG {
        return Err(BoxFsError::NotRegular {
            path: path.to_string(),
        });
    }
    if st.st_size as u64 > max {
        return Err(BoxFsError::TooLarge {
            path: path.to_string(),
            size: st.st_size as u64,
            max,
        });
    }
    let mut out = Vec::with_capacity(st.st_size as usize);
    // The file may grow after fstat (a process of another run cannot be alive, but be sure).
    File::from(fd)
        .take(max)
        .read_to_end(&mut out)
        .map_err(|source| BoxFsError::Io {
            path: path.to_string(),
            source,
        })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn me() -> (Uid, Gid) {
        (Uid::current(), Gid::current())
    }

    #[test]
    fn paths_must_be_plain_and_relative() {
        for bad in ["", "/etc/passwd", "../x", "a/../../x", "a/\0b"] {
            assert!(parts(bad).is_err(), "{bad:?}");
        }
        assert_eq!(parts("a/./b.txt").unwrap(), vec!["a", "b.txt"]);
    }

    #[test]
    fn write_then_read_back_with_parents() {
        let dir = tempfile::tempdir().unwrap();
        let root = File::open(dir.path()).unwrap();
        let (u, g) = me();
        write_file(&root, "src/main.c", b"int main(){}", false, u, g).unwrap();
        assert_eq!(
            read_file(&root, "src/main.c", 100).unwrap(),
            b"int main(){}"
        );
        // No overwrite.
        assert!(write_file(&root, "src/main.c", b"x", false, u, g).is_err());
    }

    #[test]
    fn symlinks_anywhere_in_the_path_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "s3cret").unwrap();
        symlink(outside.path().join("secret"), dir.path().join("stdout")).unwrap();
        symlink(outside.path(), dir.path().join("sub")).unwrap();
        let root = File::open(dir.path()).unwrap();
        let (u, g) = me();
        assert!(matches!(
            read_file(&root, "stdout", 100),
            Err(BoxFsError::Sys { .. })
        ));
        assert!(read_file(&root, "sub/secret", 100).is_err());
        assert!(write_file(&root, "sub/planted", b"x", false, u, g).is_err());
        assert!(!outside.path().join("planted").exists());
        assert!(write_file(&root, "stdout", b"x", false, u, g).is_err());
        assert_eq!(
            std::fs::read_to_string(outside.path().join("secret")).unwrap(),
            "s3cret"
        );
    }

    #[test]
    fn fifos_directories_and_large_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = File::open(dir.path()).unwrap();
        nix::unistd::mkfifo(&dir.path().join("fifo"), Mode::from_bits_truncate(0o644)).unwrap();
        assert!(matches!(
            read_file(&root, "fifo", 10),
            Err(BoxFsError::NotRegular { .. })
        ));
        std::fs::write(dir.path().join("big"), vec![b'x'; 1000]).unwrap();
        assert!(matches!(
            read_file(&root, "big", 999),
            Err(BoxFsError::TooLarge { .. })
        ));
        std::fs::create_dir(dir.path().join("d")).unwrap();
        assert!(matches!(
            read_file(&root, "d", 10),
            Err(BoxFsError::NotRegular { .. })
        ));
    }
}
