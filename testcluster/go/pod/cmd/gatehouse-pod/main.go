// gatehouse-pod is the main process of shell-less ("distroless") test containers and a stand-in
// for planted binaries: it sets the hostname, optionally listens on a TCP port, and sleeps until
// it is told to stop.
package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	// Flags are read by hand so a planted copy can carry a miner's arguments it ignores.
	hostname, listen := flagValue("--hostname="), flagValue("--listen=")
	if hostname != "" {
		if err := syscall.Sethostname([]byte(hostname)); err != nil {
			fmt.Fprintln(os.Stderr, "sethostname:", err)
		}
	}
	if listen != "" {
		listener, err := net.Listen("tcp", listen)
		if err != nil {
			fmt.Fprintln(os.Stderr, "listen:", err)
			os.Exit(1)
		}
		go serve(listener)
	}
	fmt.Println("started")
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	<-signals
}

func flagValue(prefix string) string {
	for _, arg := range os.Args[1:] {
		if value, ok := strings.CutPrefix(arg, prefix); ok {
			return value
		}
	}
	return ""
}

// serve holds every connection open until the peer closes it, so connections stay visible.
func serve(listener net.Listener) {
	for {
		conn, err := listener.Accept()
		if err != nil {
			return
		}
		go func() {
			_, _ = io.Copy(io.Discard, conn)
			_ = conn.Close()
		}()
	}
}
