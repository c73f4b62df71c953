//! Resolving a plugin's path inside a directory it holds, without ever leaving that directory.
//!
//! The path is walked one component at a time from the directory (the "root"): `.` is skipped, `..`
//! pops a component (popping past the root is refused), and every symbolic link met on the way
//! (and the last component too, when following) is replaced by its target, checked the same way.
//! Absolute paths and absolute link targets are refused. Refusals are EPERM, as upstream's
//! runtime answers for a path leading outside its sandbox.
//!
//! The walk asks a [`Lookup`] what each prefix is, so it runs the same over the host file system
//! (`fs_std`) and over the fakes of the unit tests.

use alloc::collections::VecDeque;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::errno::{Errno, ELOOP, ENAMETOOLONG, ENOENT, ENOTDIR, EPERM};
use crate::config;

/// What a path (components below the root) names on the host, without following a final link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Missing,
    Dir,
    /// A regular file or anything else that is not a directory or a link.
    File,
    /// A symbolic link and its target text.
    Symlink(String),
}

pub trait Lookup {
    fn kind(&self, components: &[String]) -> Kind;
}

/// Components of `path` below the root (empty for the root itself). With `follow`, a final
/// symbolic link is resolved too; a trailing `/` always resolves it and requires a directory.
pub fn resolve(path: &str, follow: bool, fs: &impl Lookup) -> Result<Vec<String>, Errno> {
    if path.is_empty() {
        return Err(ENOENT);
    }
    if path.len() > config::WASI_MAX_PATH {
        return Err(ENAMETOOLONG);
    }
    if path.starts_with('/') {
        return Err(EPERM);
    }
    let must_be_dir = path.ends_with('/');
    let mut queue: VecDeque<String> = VecDeque::new();
    push_front(&mut queue, path);
    let mut stack: Vec<String> = Vec::new();
    let mut links = 0usize;
    while let Some(component) = queue.pop_front() {
        if component == ".." {
            stack.pop().ok_or(EPERM)?;
            continue;
        }
        stack.push(component);
        let last = queue.is_empty();
        match fs.kind(&stack) {
            Kind::Symlink(target) if !last || follow || must_be_dir => {
                links += 1;
                if links > config::WASI_MAX_SYMLINKS {
                    return Err(ELOOP);
                }
                if target.starts_with('/') {
                    return Err(EPERM);
                }
                if target.is_empty() {
                    return Err(ENOENT);
                }
                stack.pop();
                push_front(&mut queue, &target);
            }
            Kind::Missing if !last => return Err(ENOENT),
            Kind::File if !last || must_be_dir => return Err(ENOTDIR),
            _ => {}
        }
    }
    Ok(stack)
}

/// Puts the meaningful components of `path` (no empty ones, no `.`) in front of `queue`.
fn push_front(queue: &mut VecDeque<String>, path: &str) {
    for component in path.rsplit('/').filter(|c| !c.is_empty() && *c != ".") {
        queue.push_front(component.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::BTreeMap;
    use alloc::vec;

    /// A fake tree: full paths below the root ("a/b") mapped to kinds; everything else is missing.
    struct Fake(BTreeMap<String, Kind>);

    impl Lookup for Fake {
        fn kind(&self, components: &[String]) -> Kind {
            self.0.get(&components.join("/")).cloned().unwrap_or(Kind::Missing)
        }
    }

    fn tree() -> Fake {
        let link = |t: &str| Kind::Symlink(t.to_string());
        let entries = [
            ("data.txt", Kind::File),
            ("sub", Kind::Dir),
            ("sub/f", Kind::File),
            ("sub/deeper", Kind::Dir),
            ("in_link", link("data.txt")),
            ("in_link2", link("sub/../data.txt")),
            ("dir_link", link("sub")),
            ("abs_link", link("/etc/passwd")),
            ("rel_out", link("../secret")),
            ("deep_out", link("sub/deeper/../../..")),
            ("etc_dir", link("/etc")),
            ("loop_a", link("loop_b")),
            ("loop_b", link("loop_a")),
            ("empty_link", link("")),
            ("sub/up", link("..")),
            ("sub/up2", link("../..")),
        ];
        Fake(entries.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    fn ok(path: &str, follow: bool) -> Result<String, Errno> {
        resolve(path, follow, &tree()).map(|v| v.join("/"))
    }

    #[test]
    fn plain_paths() {
        assert_eq!(ok("data.txt", true), Ok("data.txt".into()));
        assert_eq!(ok("./sub/./f", true), Ok("sub/f".into()));
        assert_eq!(ok("sub//f", true), Ok("sub/f".into()));
        assert_eq!(ok(".", true), Ok("".into()));
        assert_eq!(ok("sub/..", true), Ok("".into()));
        assert_eq!(ok("sub/../data.txt", true), Ok("data.txt".into()));
        assert_eq!(ok("new.txt", true), Ok("new.txt".into()));
        assert_eq!(ok("sub/", true), Ok("sub".into()));
    }

    #[test]
    fn dotdot_cannot_leave_the_root() {
        assert_eq!(ok("..", true), Err(EPERM));
        assert_eq!(ok("../secret", true), Err(EPERM));
        assert_eq!(ok("sub/../../secret", true), Err(EPERM));
        assert_eq!(ok("sub/deeper/../../../x", false), Err(EPERM));
        assert_eq!(ok("./../data.txt", true), Err(EPERM));
    }

    #[test]
    fn absolute_paths_are_refused() {
        assert_eq!(ok("/etc/passwd", true), Err(EPERM));
        assert_eq!(ok("/", true), Err(EPERM));
        assert_eq!(ok("//data.txt", true), Err(EPERM));
    }

    #[test]
    fn links_inside_are_followed() {
        assert_eq!(ok("in_link", true), Ok("data.txt".into()));
        assert_eq!(ok("in_link2", true), Ok("data.txt".into()));
        assert_eq!(ok("dir_link/f", false), Ok("sub/f".into()));
        assert_eq!(ok("sub/up/data.txt", true), Ok("data.txt".into()));
        // not following: the last component is the link itself
        assert_eq!(ok("in_link", false), Ok("in_link".into()));
        assert_eq!(ok("abs_link", false), Ok("abs_link".into()));
    }

    #[test]
    fn links_pointing_outside_are_refused() {
        assert_eq!(ok("abs_link", true), Err(EPERM));
        assert_eq!(ok("rel_out", true), Err(EPERM));
        assert_eq!(ok("etc_dir/passwd", false), Err(EPERM));
        assert_eq!(ok("deep_out", true), Err(EPERM));
        assert_eq!(ok("sub/up2/x", true), Err(EPERM));
        assert_eq!(ok("rel_out/", false), Err(EPERM));
    }

    #[test]
    fn odd_paths() {
        assert_eq!(ok("", true), Err(ENOENT));
        assert_eq!(ok("loop_a", true), Err(ELOOP));
        assert_eq!(ok("empty_link", true), Err(ENOENT));
        assert_eq!(ok("nope/x", true), Err(ENOENT));
        assert_eq!(ok("data.txt/x", true), Err(ENOTDIR));
        assert_eq!(ok("data.txt/", true), Err(ENOTDIR));
        assert_eq!(ok("in_link/", false), Err(ENOTDIR));
        let long = "a/".repeat(config::WASI_MAX_PATH);
        assert_eq!(ok(&long, true), Err(ENAMETOOLONG));
        assert_eq!(resolve("a", true, &Fake(BTreeMap::new())), Ok(vec!["a".to_string()]));
    }
}
