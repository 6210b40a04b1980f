//! The committed guest ELFs are exactly what `guests/build.sh` builds from
//! the sources (reproducible builds with Debian's riscv64-unknown-elf-gcc
//! and picolibc).

use zkdbg_tests::*;

#[test]
fn committed_guests_are_byte_identical_to_a_rebuild() {
    let out = tempdir("rebuild");
    let status = std::process::Command::new("bash")
        .arg(repo().join("guests/build.sh"))
        .arg(&out)
        .status()
        .expect("cannot run guests/build.sh");
    assert!(
        status.success(),
        "guests/build.sh failed (needs gcc-riscv64-unknown-elf and picolibc-riscv64-unknown-elf)"
    );
    let mut compared = 0;
    for arch in ARCHES {
        let committed = repo().join("guests/bin").join(arch);
        let mut names: Vec<_> = std::fs::read_dir(&committed)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        let mut rebuilt: Vec<_> = std::fs::read_dir(out.join(arch))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        rebuilt.sort();
        assert_eq!(names, rebuilt, "{arch}: the set of guests differs");
        for n in names {
            let a = std::fs::read(committed.join(&n)).unwrap();
            let b = std::fs::read(out.join(arch).join(&n)).unwrap();
            assert!(
                a == b,
                "{arch}/{}: the rebuilt ELF differs from the committed one",
                n.to_string_lossy()
            );
            compared += 1;
        }
    }
    assert_eq!(compared, 2 * 14, "fourteen guests per arch");
    for name in [
        "airbender/fib.elf",
        "airbender/fib.bin",
        "airbender/deleg.elf",
        "airbender/deleg.bin",
        "zisk/zk-hash.elf",
    ] {
        let a = std::fs::read(repo().join("guests/bin").join(name)).unwrap();
        let b = std::fs::read(out.join(name)).unwrap();
        assert!(a == b, "{name}: the rebuild differs from the committed one");
    }
    let _ = std::fs::remove_dir_all(out);
}
