// gatehouse-exec stands in for every command name that kwok may run for `kubectl exec`.
//
// kwok runs exec commands on its own host. In the test cluster kwok runs in a mount namespace
// where /usr/bin, /usr/sbin and /usr/local/bin hold links to this program, so whatever name
// kubectl asks for lands here. The pod's Exec object sets GATEHOUSE_CONTAINER_DIR to the state
// directory of the container; this program resolves the command inside the container's root
// filesystem and enters the container's namespaces with nsenter, as a container runtime would.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path"
	"regexp"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

func main() {
	code, err := run(os.Args)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	os.Exit(code)
}

func run(args []string) (int, error) {
	if target := os.Getenv("GATEHOUSE_EPHEMERAL_TARGET_DIR"); target != "" && os.Getenv("GATEHOUSE_CONTAINER_DIR") == "" {
		return runEphemeral(target, args)
	}
	if payload := os.Getenv("GATEHOUSE_HOSTILE_PAYLOAD"); payload != "" {
		if nonce := collectorNonce(args); nonce != "" {
			return hostile(payload, nonce)
		}
	}
	dir := os.Getenv("GATEHOUSE_CONTAINER_DIR")
	if dir == "" {
		return 126, errors.New("gatehouse-exec: no GATEHOUSE_CONTAINER_DIR: this exec target has no container behind it")
	}
	pid, err := readPid(dir)
	if err != nil {
		return 126, fmt.Errorf("error: container is not running (%v)", err)
	}
	env, err := readEnv(path.Join(dir, "env"))
	if err != nil {
		return 126, err
	}
	command := args[0]
	if _, err := lookPath(pid, command, pathOf(env)); err != nil {
		// The message a containerd/runc node gives for a missing binary, e.g. in distroless images.
		return 126, fmt.Errorf("OCI runtime exec failed: exec failed: unable to start container process: exec: %q: executable file not found in $PATH: unknown", command)
	}
	nsenter := os.Getenv("GATEHOUSE_NSENTER")
	if nsenter == "" {
		return 126, errors.New("gatehouse-exec: GATEHOUSE_NSENTER is not set")
	}
	argv := []string{"nsenter", "--target", strconv.Itoa(pid), "--mount", "--uts", "--ipc", "--net", "--pid", "--root", "--wd", "--"}
	argv = append(argv, command)
	argv = append(argv, args[1:]...)
	return 126, syscall.Exec(nsenter, argv, env)
}

func readPid(dir string) (int, error) {
	raw, err := os.ReadFile(path.Join(dir, "pid"))
	if err != nil {
		return 0, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil {
		return 0, err
	}
	if err := syscall.Kill(pid, 0); err != nil {
		return 0, fmt.Errorf("process %d: %v", pid, err)
	}
	return pid, nil
}

// readEnv returns the container's environment: the exec'd process must not inherit kwok's.
func readEnv(file string) ([]string, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var env []string
	for _, line := range strings.Split(string(raw), "\n") {
		if line != "" {
			env = append(env, line)
		}
	}
	return env, nil
}

func pathOf(env []string) []string {
	for _, entry := range env {
		if value, ok := strings.CutPrefix(entry, "PATH="); ok {
			return strings.Split(value, ":")
		}
	}
	return []string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}
}

// lookPath resolves a command the way execvp would inside the container, following symlinks
// within the container's root (RESOLVE_IN_ROOT), never on the host.
func lookPath(pid int, command string, searchPath []string) (string, error) {
	root, err := unix.Open(fmt.Sprintf("/proc/%d/root", pid), unix.O_PATH|unix.O_DIRECTORY, 0)
	if err != nil {
		return "", err
	}
	defer unix.Close(root)
	candidates := []string{command}
	if !strings.Contains(command, "/") {
		candidates = candidates[:0]
		for _, dir := range searchPath {
			candidates = append(candidates, path.Join(dir, command))
		}
	}
	for _, candidate := range candidates {
		if isExecutable(root, candidate) {
			return candidate, nil
		}
	}
	return "", os.ErrNotExist
}

func isExecutable(root int, file string) bool {
	fd, err := unix.Openat2(root, file, &unix.OpenHow{Flags: unix.O_PATH, Resolve: unix.RESOLVE_IN_ROOT})
	if err != nil {
		return false
	}
	defer unix.Close(fd)
	var stat unix.Stat_t
	if err := unix.Fstat(fd, &stat); err != nil {
		return false
	}
	return stat.Mode&unix.S_IFMT == unix.S_IFREG && stat.Mode&0o111 != 0
}

// runEphemeral stands in for an ephemeral debug container that targets a container: it shares
// the target's PID, network, IPC and UTS namespaces, has its own root (a busybox image) and a
// /proc of the shared PID namespace, so /proc/1/root is the target's filesystem.
func runEphemeral(targetDir string, args []string) (int, error) {
	pid, err := readPid(targetDir)
	if err != nil {
		return 126, fmt.Errorf("error: target container is not running (%v)", err)
	}
	root := os.Getenv("GATEHOUSE_DEBUG_ROOT")
	nsenter := os.Getenv("GATEHOUSE_NSENTER")
	unshare := os.Getenv("GATEHOUSE_UNSHARE")
	if root == "" || nsenter == "" || unshare == "" {
		return 126, errors.New("gatehouse-exec: GATEHOUSE_DEBUG_ROOT, GATEHOUSE_NSENTER and GATEHOUSE_UNSHARE must be set")
	}
	env := []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "HOSTNAME=debugger"}
	argv := []string{"nsenter", "--target", strconv.Itoa(pid), "--uts", "--ipc", "--net", "--pid", "--",
		unshare, "--mount", "--mount-proc", "--root=" + root, "--wd=/", "--"}
	argv = append(argv, args...)
	return 126, syscall.Exec(nsenter, argv, env)
}

var noncePattern = regexp.MustCompile(`(?m)^N=([0-9a-f]+)$`)

// collectorNonce finds the nonce in a Gatehouse collector script, as a compromised container
// could by reading its own /proc/PID/cmdline.
func collectorNonce(args []string) string {
	for _, arg := range args {
		if match := noncePattern.FindStringSubmatch(arg); match != nil {
			return match[1]
		}
	}
	return ""
}

// hostile plays a fully compromised container: it answers the collector with a forged stream
// carrying the real nonce, then sends zeros until the reader gives up.
func hostile(payloadFile, nonce string) (int, error) {
	payload, err := os.ReadFile(payloadFile)
	if err != nil {
		return 1, err
	}
	if _, err := os.Stdout.Write(bytes.ReplaceAll(payload, []byte("@NONCE@"), []byte(nonce))); err != nil {
		return 0, nil
	}
	zeros := make([]byte, 64*1024)
	for {
		if _, err := os.Stdout.Write(zeros); err != nil {
			return 0, nil
		}
	}
}
