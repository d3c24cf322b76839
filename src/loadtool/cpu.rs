//! CPU time of a process from `/proc/PID/stat` (Linux): user + system
//! time of all its threads, in clock ticks; for a server, of its child
//! processes too.

use std::io;
use std::process::Command;
use std::time::Duration;

/// The CPU time `pid` (or this process, for `None`) has used so far.
pub fn process_cpu(pid: Option<u32>) -> io::Result<Duration> {
    let path = match pid {
        Some(pid) => format!("/proc/{pid}/stat"),
        None => "/proc/self/stat".to_owned(),
    };
    let (_, ticks) = read_stat(&path)?;
    Ok(ticks_to_duration(ticks, clock_ticks_per_second()))
}

/// The CPU time `pid` and every process descended from it have used so
/// far. A server may do part of its work in other processes: PyKMIP's
/// keeps its operation policies in a `multiprocessing.Manager`, a separate
/// process asked on every request.
pub fn process_tree_cpu(pid: u32) -> io::Result<Duration> {
    let (_, own) = read_stat(&format!("/proc/{pid}/stat"))?;
    // (pid, parent, ticks) of every process; one that exits meanwhile is skipped.
    let mut all = Vec::new();
    for entry in std::fs::read_dir("/proc")?.flatten() {
        let Some(p) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
        if let Ok((parent, ticks)) = read_stat(&format!("/proc/{p}/stat")) {
            all.push((p, parent, ticks));
        }
    }
    let mut total = own;
    let mut parents = vec![pid];
    while let Some(parent) = parents.pop() {
        for &(p, pp, ticks) in &all {
            if pp == parent && p != pid {
                total = total.saturating_add(ticks);
                parents.push(p);
            }
        }
    }
    Ok(ticks_to_duration(total, clock_ticks_per_second()))
}

/// (parent pid, utime + stime) from a stat file.
fn read_stat(path: &str) -> io::Result<(u32, u64)> {
    let stat = std::fs::read_to_string(path)?;
    parse_stat(&stat)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, format!("{path}: no ppid/utime/stime fields")))
}

/// (ppid, utime + stime) from the text of a `/proc/PID/stat` file. The
/// command name (field 2) may hold spaces and parentheses, so fields are
/// counted from the last `)`: state is field 3, ppid 4, utime 14, stime 15.
fn parse_stat(stat: &str) -> Option<(u32, u64)> {
    let rest = stat.get(stat.rfind(')')?.checked_add(1)?..)?;
    let mut fields = rest.split_ascii_whitespace().skip(1);
    let ppid: u32 = fields.next()?.parse().ok()?;
    let mut fields = fields.skip(9);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some((ppid, utime.checked_add(stime)?))
}

fn ticks_to_duration(ticks: u64, per_second: u64) -> Duration {
    let per_second = per_second.max(1);
    Duration::from_secs(ticks / per_second)
        + Duration::from_nanos((ticks % per_second).saturating_mul(1_000_000_000) / per_second)
}

/// `getconf CLK_TCK`, asked once; 100 (Linux's USER_HZ everywhere) if that fails.
pub fn clock_ticks_per_second() -> u64 {
    static TICKS: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .filter(|t| *t > 0)
            .unwrap_or(100)
    })
}

/// The 1-minute load average, to record how busy the machine was.
pub fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg").ok()?.split_ascii_whitespace().next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_are_counted_after_a_command_name_with_spaces_and_parentheses() {
        let stat = "4242 (py (kmip) srv) S 1 4242 4242 0 -1 4194560 6000 0 0 0 1234 567 0 0 20 0 9 0 100 0 0";
        assert_eq!(parse_stat(stat), Some((1, 1234 + 567)));
        assert_eq!(parse_stat("4242 (x) S 1 2"), None);
    }

    #[test]
    fn ticks_become_time() {
        assert_eq!(ticks_to_duration(250, 100), Duration::from_millis(2500));
        assert_eq!(ticks_to_duration(3, 1000), Duration::from_millis(3));
    }

    #[test]
    fn this_process_has_used_some_cpu() {
        let spin = std::time::Instant::now();
        let mut x = 0u64;
        while spin.elapsed() < Duration::from_millis(30) {
            x = std::hint::black_box(x.wrapping_add(1));
        }
        assert!(process_cpu(None).unwrap() > Duration::ZERO);
    }

    #[test]
    fn a_process_tree_counts_the_cpu_of_a_busy_child() {
        // A child that burns ~300 ms of CPU, then waits to be counted.
        let mut child = Command::new("sh")
            .args(["-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; sleep 5"])
            .spawn()
            .unwrap();
        let me = std::process::id();
        // The children's share: the tree minus this process read just after
        // it (so this process's own growth cannot pass for a child's).
        let children = || process_tree_cpu(me).unwrap().saturating_sub(process_cpu(Some(me)).unwrap());
        let start = std::time::Instant::now();
        let mut seen = children();
        while seen < Duration::from_millis(100) && start.elapsed() < Duration::from_secs(4) {
            std::thread::sleep(Duration::from_millis(50));
            seen = children();
        }
        let _ = child.kill();
        let _ = child.wait();
        assert!(seen >= Duration::from_millis(100), "children's CPU {seen:?}");
    }
}
