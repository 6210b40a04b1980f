//! The virtual file system: standard streams, a few devices, in-memory files
//! and read-only (or `:rw`) windows onto host directories.

use crate::table::errno::*;
use crate::Mount;
use rand_chacha::rand_core::RngCore;
use rand_chacha::ChaCha20Rng;
use std::collections::BTreeMap;
use std::path::PathBuf;

const O_ACCMODE: u32 = 3;
const O_WRONLY: u32 = 1;
const O_CREAT: u32 = 0o100;
const O_EXCL: u32 = 0o200;
const O_TRUNC: u32 = 0o1000;
const O_APPEND: u32 = 0o2000;

const S_IFCHR: u32 = 0o020000;
const S_IFREG: u32 = 0o100000;

/// What an open file descriptor refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Stdin,
    Stdout,
    Stderr,
    Null,
    Zero,
    Urandom,
    Inode(usize),
}

#[derive(Clone, Debug)]
pub struct OpenFile {
    pub kind: FileKind,
    pub pos: u64,
    pub flags: u32,
}

#[derive(Clone, Debug)]
struct Inode {
    data: Vec<u8>,
    /// The host file behind it, for files under a mount.
    host: Option<PathBuf>,
    writable: bool,
    dirty: bool,
}

pub struct Stat {
    pub ino: u64,
    pub mode: u32,
    pub size: u64,
}

#[derive(Clone)]
pub struct Vfs {
    stdin: Vec<u8>,
    fds: Vec<Option<OpenFile>>,
    inodes: Vec<Inode>,
    paths: BTreeMap<String, usize>,
    mounts: Vec<Mount>,
}

/// Makes `path` absolute (relative to `cwd`) and removes `.`, `..` and
/// repeated slashes.
pub fn normalize(cwd: &str, path: &str) -> String {
    let full = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{cwd}/{path}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for c in full.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    format!("/{}", parts.join("/"))
}

impl Vfs {
    pub fn new(stdin: Vec<u8>, mounts: Vec<Mount>) -> Vfs {
        let std = |kind, flags| {
            Some(OpenFile {
                kind,
                pos: 0,
                flags,
            })
        };
        Vfs {
            stdin,
            fds: vec![
                std(FileKind::Stdin, 0),
                std(FileKind::Stdout, 1),
                std(FileKind::Stderr, 1),
            ],
            inodes: Vec::new(),
            paths: BTreeMap::new(),
            mounts,
        }
    }

    pub fn get(&self, fd: u64) -> Result<&OpenFile, i64> {
        self.fds
            .get(fd as usize)
            .and_then(|f| f.as_ref())
            .ok_or(EBADF)
    }

    fn get_mut(&mut self, fd: u64) -> Result<&mut OpenFile, i64> {
        self.fds
            .get_mut(fd as usize)
            .and_then(|f| f.as_mut())
            .ok_or(EBADF)
    }

    fn install(&mut self, f: OpenFile, min: usize) -> Result<u64, i64> {
        let slot = (min..self.fds.len()).find(|&i| self.fds[i].is_none());
        let fd = match slot {
            Some(i) => i,
            None if self.fds.len().max(min) < 1024 => {
                let i = self.fds.len().max(min);
                self.fds.resize(i + 1, None);
                i
            }
            None => return Err(EMFILE),
        };
        self.fds[fd] = Some(f);
        Ok(fd as u64)
    }

    fn mount_for(&self, path: &str) -> Option<(&Mount, PathBuf)> {
        self.mounts.iter().rev().find_map(|m| {
            let rest = if m.guest == "/" {
                Some(path.trim_start_matches('/'))
            } else if path == m.guest {
                Some("")
            } else {
                path.strip_prefix(&format!("{}/", m.guest))
            };
            rest.map(|r| (m, m.host.join(r)))
        })
    }

    pub fn open(&mut self, path: &str, flags: u32) -> Result<u64, i64> {
        let wants_write = flags & O_ACCMODE != 0;
        let device = match path {
            "/dev/null" => Some(FileKind::Null),
            "/dev/zero" => Some(FileKind::Zero),
            "/dev/urandom" | "/dev/random" => Some(FileKind::Urandom),
            "/dev/stdin" => Some(FileKind::Stdin),
            "/dev/stdout" => Some(FileKind::Stdout),
            "/dev/stderr" => Some(FileKind::Stderr),
            _ => None,
        };
        if let Some(kind) = device {
            return self.install(
                OpenFile {
                    kind,
                    pos: 0,
                    flags,
                },
                0,
            );
        }
        let ino = match self.paths.get(path) {
            Some(&ino) => {
                if flags & O_CREAT != 0 && flags & O_EXCL != 0 {
                    return Err(EEXIST);
                }
                ino
            }
            None => {
                let mount = self.mount_for(path).map(|(m, p)| (m.writable, p));
                let inode = match mount {
                    Some((writable, host)) => {
                        if host.is_dir() {
                            return Err(EISDIR);
                        }
                        match std::fs::read(&host) {
                            Ok(data) => Inode {
                                data,
                                host: Some(host),
                                writable,
                                dirty: false,
                            },
                            Err(_) if flags & O_CREAT != 0 => {
                                if !writable {
                                    return Err(EROFS);
                                }
                                Inode {
                                    data: Vec::new(),
                                    host: Some(host),
                                    writable,
                                    dirty: true,
                                }
                            }
                            Err(_) => return Err(ENOENT),
                        }
                    }
                    None if flags & O_CREAT != 0 => Inode {
                        data: Vec::new(),
                        host: None,
                        writable: true,
                        dirty: false,
                    },
                    None => return Err(ENOENT),
                };
                self.inodes.push(inode);
                let ino = self.inodes.len() - 1;
                self.paths.insert(path.to_string(), ino);
                ino
            }
        };
        let inode = &mut self.inodes[ino];
        if wants_write && !inode.writable {
            return Err(EROFS);
        }
        if flags & O_TRUNC != 0 && wants_write {
            inode.data.clear();
            inode.dirty = true;
        }
        self.install(
            OpenFile {
                kind: FileKind::Inode(ino),
                pos: 0,
                flags,
            },
            0,
        )
    }

    pub fn close(&mut self, fd: u64) -> Result<(), i64> {
        let f = self
            .fds
            .get_mut(fd as usize)
            .and_then(|f| f.take())
            .ok_or(EBADF)?;
        if let FileKind::Inode(ino) = f.kind {
            let _ = self.write_back(ino);
        }
        Ok(())
    }

    fn write_back(&mut self, ino: usize) -> std::io::Result<()> {
        let inode = &mut self.inodes[ino];
        if let (true, true, Some(host)) = (inode.dirty, inode.writable, &inode.host) {
            std::fs::write(host, &inode.data)?;
            inode.dirty = false;
        }
        Ok(())
    }

    pub fn sync_all(&mut self) -> std::io::Result<()> {
        for ino in 0..self.inodes.len() {
            self.write_back(ino)?;
        }
        Ok(())
    }

    pub fn dup(&mut self, fd: u64, target: Option<u64>) -> Result<u64, i64> {
        let f = self.get(fd)?.clone();
        match target {
            None => self.install(f, 0),
            Some(t) if t == fd => Err(EINVAL),
            Some(t) if t < 1024 => {
                if (t as usize) >= self.fds.len() {
                    self.fds.resize(t as usize + 1, None);
                }
                self.fds[t as usize] = Some(f);
                Ok(t)
            }
            Some(_) => Err(EBADF),
        }
    }

    pub fn dup_min(&mut self, fd: u64, min: u64) -> Result<u64, i64> {
        let f = self.get(fd)?.clone();
        self.install(f, min.min(1024) as usize)
    }

    pub fn read(&mut self, fd: u64, len: usize, rng: &mut ChaCha20Rng) -> Result<Vec<u8>, i64> {
        let f = self.get(fd)?.clone();
        if f.flags & O_ACCMODE == O_WRONLY {
            return Err(EBADF);
        }
        let (data, advance) = match f.kind {
            FileKind::Stdin => {
                let start = (f.pos as usize).min(self.stdin.len());
                let end = (start + len).min(self.stdin.len());
                (self.stdin[start..end].to_vec(), true)
            }
            FileKind::Stdout | FileKind::Stderr => return Err(EBADF),
            FileKind::Null => (Vec::new(), false),
            FileKind::Zero => (vec![0; len], false),
            FileKind::Urandom => {
                let mut v = vec![0; len];
                rng.fill_bytes(&mut v);
                (v, false)
            }
            FileKind::Inode(ino) => {
                let d = &self.inodes[ino].data;
                let start = (f.pos as usize).min(d.len());
                let end = (start + len).min(d.len());
                (d[start..end].to_vec(), true)
            }
        };
        if advance {
            self.get_mut(fd)?.pos += data.len() as u64;
        }
        Ok(data)
    }

    pub fn read_at(&mut self, fd: u64, off: u64, len: usize) -> Result<Vec<u8>, i64> {
        match self.get(fd)?.kind {
            FileKind::Inode(ino) => {
                let d = &self.inodes[ino].data;
                let start = (off as usize).min(d.len());
                Ok(d[start..(start + len).min(d.len())].to_vec())
            }
            FileKind::Zero => Ok(vec![0; len]),
            _ => Err(ENODEV),
        }
    }

    /// Writes to `fd`; returns `Some(1)`/`Some(2)` when the bytes go to the
    /// console's stdout/stderr, `None` when the VFS consumed them.
    pub fn write(&mut self, fd: u64, data: &[u8]) -> Result<Option<u32>, i64> {
        let f = self.get(fd)?.clone();
        if f.flags & O_ACCMODE == 0 && matches!(f.kind, FileKind::Inode(_)) {
            return Err(EBADF);
        }
        match f.kind {
            FileKind::Stdout => Ok(Some(1)),
            FileKind::Stderr => Ok(Some(2)),
            FileKind::Stdin => Err(EBADF),
            FileKind::Null | FileKind::Zero | FileKind::Urandom => Ok(None),
            FileKind::Inode(ino) => {
                let inode = &mut self.inodes[ino];
                let pos = if f.flags & O_APPEND != 0 {
                    inode.data.len()
                } else {
                    f.pos as usize
                };
                let end = pos + data.len();
                if inode.data.len() < end {
                    inode.data.resize(end, 0);
                }
                inode.data[pos..end].copy_from_slice(data);
                inode.dirty = true;
                self.get_mut(fd)?.pos = end as u64;
                Ok(None)
            }
        }
    }

    pub fn lseek(&mut self, fd: u64, off: i64, whence: u32) -> Result<u64, i64> {
        let f = self.get(fd)?.clone();
        let size = match f.kind {
            FileKind::Stdin => self.stdin.len() as i64,
            FileKind::Inode(ino) => self.inodes[ino].data.len() as i64,
            FileKind::Null | FileKind::Zero | FileKind::Urandom => 0,
            FileKind::Stdout | FileKind::Stderr => return Err(ESPIPE),
        };
        let base = match whence {
            0 => 0,
            1 => f.pos as i64,
            2 => size,
            _ => return Err(EINVAL),
        };
        let pos = base.checked_add(off).filter(|&p| p >= 0).ok_or(EINVAL)?;
        self.get_mut(fd)?.pos = pos as u64;
        Ok(pos as u64)
    }

    pub fn stat(&self, fd: u64) -> Result<Stat, i64> {
        let f = self.get(fd)?;
        Ok(match f.kind {
            FileKind::Inode(ino) => Stat {
                ino: 1000 + ino as u64,
                mode: S_IFREG | 0o644,
                size: self.inodes[ino].data.len() as u64,
            },
            FileKind::Stdin => Stat {
                ino: 1,
                mode: S_IFCHR | 0o620,
                size: 0,
            },
            FileKind::Stdout => Stat {
                ino: 2,
                mode: S_IFCHR | 0o620,
                size: 0,
            },
            FileKind::Stderr => Stat {
                ino: 3,
                mode: S_IFCHR | 0o620,
                size: 0,
            },
            FileKind::Null | FileKind::Zero | FileKind::Urandom => Stat {
                ino: 4,
                mode: S_IFCHR | 0o666,
                size: 0,
            },
        })
    }

    pub fn unlink(&mut self, path: &str) -> Result<(), i64> {
        if let Some((m, host)) = self.mount_for(path) {
            if !m.writable {
                return Err(EROFS);
            }
            self.paths.remove(path);
            return std::fs::remove_file(host).map_err(|_| ENOENT);
        }
        self.paths.remove(path).map(|_| ()).ok_or(ENOENT)
    }

    pub fn mkdir(&mut self, path: &str) -> Result<(), i64> {
        match self.mount_for(path) {
            Some((m, host)) if m.writable => std::fs::create_dir(host).map_err(|_| EEXIST),
            Some(_) => Err(EROFS),
            None => Ok(()),
        }
    }

    pub fn access(&self, path: &str) -> Result<(), i64> {
        if self.paths.contains_key(path) || path.starts_with("/dev/") || path == "/" {
            return Ok(());
        }
        match self.mount_for(path) {
            Some((_, host)) if host.exists() => Ok(()),
            _ => Err(ENOENT),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_paths() {
        assert_eq!(normalize("/", "a/b/../c"), "/a/c");
        assert_eq!(normalize("/", "/x//y/./z"), "/x/y/z");
        assert_eq!(normalize("/", "../../.."), "/");
    }

    #[test]
    fn in_memory_file_round_trip() {
        let mut v = Vfs::new(b"in".to_vec(), vec![]);
        let mut rng = <ChaCha20Rng as rand_chacha::rand_core::SeedableRng>::seed_from_u64(0);
        assert_eq!(v.open("/tmp/x", 0), Err(ENOENT));
        let fd = v.open("/tmp/x", O_CREAT | 2).unwrap();
        assert_eq!(fd, 3);
        assert_eq!(v.write(fd, b"hello"), Ok(None));
        assert_eq!(v.lseek(fd, 0, 0), Ok(0));
        assert_eq!(v.read(fd, 100, &mut rng).unwrap(), b"hello");
        assert_eq!(v.read(0, 100, &mut rng).unwrap(), b"in");
        assert_eq!(v.read(0, 100, &mut rng).unwrap(), b"");
        v.close(fd).unwrap();
        assert_eq!(v.close(fd), Err(EBADF));
        let fd = v.open("/tmp/x", 0).unwrap();
        assert_eq!(v.write(fd, b"no"), Err(EBADF));
        assert_eq!(v.lseek(1, 0, 0), Err(ESPIPE));
    }

    #[test]
    fn read_only_mount() {
        let dir = std::env::temp_dir().join(format!("zeroos-vfs-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("f.txt"), b"host data").unwrap();
        let mount = Mount {
            host: dir.clone(),
            guest: "/data".into(),
            writable: false,
        };
        let mut v = Vfs::new(vec![], vec![mount]);
        let mut rng = <ChaCha20Rng as rand_chacha::rand_core::SeedableRng>::seed_from_u64(0);
        let fd = v.open("/data/f.txt", 0).unwrap();
        assert_eq!(v.read(fd, 4, &mut rng).unwrap(), b"host");
        assert_eq!(v.open("/data/f.txt", 1), Err(EROFS));
        assert_eq!(v.open("/data/new.txt", O_CREAT | 1), Err(EROFS));
        assert_eq!(v.open("/other/f.txt", 0), Err(ENOENT));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
