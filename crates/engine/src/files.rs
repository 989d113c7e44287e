//! `additional_files`: a zip archive unpacked into the box, on the host, safely.
//!
//! The archive is the student's, so nothing in it is trusted: every entry's name must be a
//! plain relative path (no `..`, no absolute path, no NUL), links are refused, sizes are
//! counted as the bytes actually come out of the decompressor (not as the header claims),
//! and the total and the number of entries are bounded. The files then go to the jail, which
//! writes them beneath `/box` without following any link.

use std::collections::HashSet;
use std::io::Read;

use judgebox_spec::BoxFile;

/// At most this many entries in one archive.
pub const MAX_ENTRIES: usize = 1024;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FilesError {
    #[error("additional_files is not a zip archive: {0}")]
    NotZip(String),
    #[error("additional_files: entry {0:?} is not a plain relative path inside the box")]
    UnsafePath(String),
    #[error("additional_files: entry {0:?} is a link, and links are not unpacked")]
    Link(String),
    #[error("additional_files: more than {MAX_ENTRIES} entries")]
    TooManyEntries,
    #[error("additional_files: unpacks to more than {0} KB")]
    TooLarge(u64),
    #[error("additional_files: entry {0:?} puts a file where a directory is, or a directory where a file is")]
    Clash(String),
    #[error("additional_files: reading entry {0:?}: {1}")]
    Read(String, String),
}

const S_IFMT: u32 = 0o170_000;
const S_IFLNK: u32 = 0o120_000;

fn is_safe(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= BoxFile::MAX_PATH
        && !name.starts_with('/')
        && !name.contains('\0')
        && !name.contains('\\')
        && name.split('/').count() <= BoxFile::MAX_DEPTH
        && name.split('/').all(|part| {
            !part.is_empty() && part != "." && part != ".." && part.len() <= BoxFile::MAX_NAME
        })
}

/// The directories a path implies: `a/b/c` implies `a` and `a/b`.
fn parents(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/').map(move |(i, _)| &path[..i])
}

/// Unpacks `zip` into files for the box, skipping names in `keep` (the source file wins, as
/// `unzip -n` lets it in Judge0). `max_size` bounds the unpacked total, in KB.
pub fn unpack(zip: &[u8], keep: &[&str], max_size: u64) -> Result<Vec<BoxFile>, FilesError> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip))
        .map_err(|e| FilesError::NotZip(e.to_string()))?;
    if archive.len() > MAX_ENTRIES {
        return Err(FilesError::TooManyEntries);
    }
    let budget = max_size.saturating_mul(1024);
    let mut used: u64 = 0;
    let mut files: Vec<BoxFile> = Vec::new();
    // Names taken by files (the caller's own among them) and by directories: an entry may
    // not need one where the other is, which the box could not hold.
    let mut file_names: HashSet<String> = keep.iter().map(|k| k.to_string()).collect();
    let mut dir_names: HashSet<String> = HashSet::new();
    for name in keep {
        dir_names.extend(parents(name).map(str::to_string));
    }
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| FilesError::NotZip(e.to_string()))?;
        let raw_name = String::from_utf8_lossy(entry.name_raw()).into_owned();
        if entry.is_dir() {
            let dir = raw_name.trim_end_matches('/');
            if !is_safe(dir) {
                return Err(FilesError::UnsafePath(raw_name));
            }
            if file_names.contains(dir) || parents(dir).any(|p| file_names.contains(p)) {
                return Err(FilesError::Clash(raw_name));
            }
            dir_names.extend(parents(dir).map(str::to_string));
            dir_names.insert(dir.to_string());
            continue;
        }
        if !is_safe(&raw_name) {
            return Err(FilesError::UnsafePath(raw_name));
        }
        let mode = entry.unix_mode().unwrap_or(0o644);
        if mode & S_IFMT == S_IFLNK {
            return Err(FilesError::Link(raw_name));
        }
        let mut content = Vec::new();
        let allowance = budget.saturating_sub(used);
        (&mut entry)
            .take(allowance.saturating_add(1))
            .read_to_end(&mut content)
            .map_err(|e| FilesError::Read(raw_name.clone(), e.to_string()))?;
        used += content.len() as u64;
        if used > budget {
            return Err(FilesError::TooLarge(max_size));
        }
        if file_names.contains(&raw_name) {
            // The caller's own file, or a repeated entry: the first one wins.
            continue;
        }
        if dir_names.contains(&raw_name) || parents(&raw_name).any(|p| file_names.contains(p)) {
            return Err(FilesError::Clash(raw_name));
        }
        dir_names.extend(parents(&raw_name).map(str::to_string));
        file_names.insert(raw_name.clone());
        files.push(BoxFile {
            path: raw_name,
            content: content.into(),
            executable: mode & 0o111 != 0,
        });
    }
    Ok(files)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    /// A zip of `(name, content, unix mode)` entries.
    pub(crate) fn make_zip(entries: &[(&str, &[u8], u32)]) -> Vec<u8> {
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, content, mode) in entries {
            if mode & S_IFMT == S_IFLNK {
                out.add_symlink(
                    *name,
                    std::str::from_utf8(content).unwrap(),
                    SimpleFileOptions::default(),
                )
                .unwrap();
                continue;
            }
            out.start_file(*name, SimpleFileOptions::default().unix_permissions(*mode))
                .unwrap();
            out.write_all(content).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    #[test]
    fn plain_files_unpack_with_their_modes_and_the_source_wins() {
        let zip = make_zip(&[
            ("run", b"./prog\n", 0o755),
            ("data/in.txt", b"42", 0o644),
            ("main.c", b"evil", 0o644),
        ]);
        let files = unpack(&zip, &["main.c"], 10240).unwrap();
        let names: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(names, ["run", "data/in.txt"]);
        assert!(files[0].executable && !files[1].executable);
        assert_eq!(files[1].content.0, b"42");
    }

    #[test]
    fn entries_the_box_could_not_hold_are_refused() {
        let long = "n".repeat(BoxFile::MAX_NAME + 1);
        let deep = vec!["d"; BoxFile::MAX_DEPTH + 1].join("/");
        for bad in [long.as_str(), deep.as_str()] {
            let zip = make_zip(&[(bad, b"x", 0o644)]);
            assert_eq!(
                unpack(&zip, &[], 10240).unwrap_err(),
                FilesError::UnsafePath(bad.to_string())
            );
        }
        type Entries<'a> = &'a [(&'a str, &'a [u8], u32)];
        let clashes: [(Entries, &str); 4] = [
            (&[("lib", b"x", 0o644), ("lib/x", b"y", 0o644)], "lib/x"),
            (&[("lib/x", b"y", 0o644), ("lib", b"x", 0o644)], "lib"),
            (&[("lib", b"x", 0o644), ("lib/", b"", 0o755)], "lib/"),
            (&[("main.c/x", b"y", 0o644)], "main.c/x"),
        ];
        for (entries, culprit) in clashes {
            let zip = make_zip(entries);
            assert_eq!(
                unpack(&zip, &["main.c"], 10240).unwrap_err(),
                FilesError::Clash(culprit.to_string()),
                "{entries:?}"
            );
        }
        let ok = vec!["d"; BoxFile::MAX_DEPTH].join("/");
        let zip = make_zip(&[(ok.as_str(), b"x", 0o644), ("d/e", b"y", 0o644)]);
        assert_eq!(unpack(&zip, &[], 10240).unwrap().len(), 2);
    }

    #[test]
    fn escapes_links_and_bombs_are_refused() {
        for bad in ["../x", "/etc/passwd", "a/../../x", "a//b", "./a"] {
            let zip = make_zip(&[(bad, b"x", 0o644)]);
            assert_eq!(
                unpack(&zip, &[], 100).unwrap_err(),
                FilesError::UnsafePath(bad.into()),
                "{bad}"
            );
        }
        let link = make_zip(&[("stdout", b"/etc/shadow", S_IFLNK | 0o777)]);
        assert_eq!(
            unpack(&link, &[], 100).unwrap_err(),
            FilesError::Link("stdout".into())
        );
        let big = vec![0u8; 3 * 1024];
        let bomb = make_zip(&[("a", &big, 0o644)]);
        assert_eq!(unpack(&bomb, &[], 2).unwrap_err(), FilesError::TooLarge(2));
        assert!(unpack(&bomb, &[], 3).is_ok());
        assert!(matches!(
            unpack(b"not a zip", &[], 100),
            Err(FilesError::NotZip(_))
        ));
    }
}
