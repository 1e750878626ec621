// go_log_server.go: a Go server with the Kiro proxy's bug, for stallcheck's optional Go test.
//
// The standard log package holds its mutex across the write to stderr. When nobody reads the
// pipe, one goroutine blocks in write(2) holding that mutex and every request goroutine (they all
// log) parks on it: in /proc one OS thread sits in write(fd=2), the others in futex waits.
// Standard library only, so `go run` needs no module download.
//
// Usage: go run go_log_server.go --port N
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
)

const largeBody = 4096

func reply(w http.ResponseWriter, status int, payload interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(payload)
}

func main() {
	port := flag.Int("port", 0, "port to listen on (127.0.0.1)")
	flag.Parse()
	if *port <= 0 {
		fmt.Fprintln(os.Stderr, "usage: go_log_server --port N")
		os.Exit(64)
	}
	log.SetOutput(os.Stderr)

	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if len(body) > largeBody {
			log.Printf("%s %s large body (%d bytes): %s", r.Method, r.URL.Path, len(body), body)
		} else {
			log.Printf("%s %s body=%d headers=%v", r.Method, r.URL.Path, len(body), r.Header)
		}
		switch r.URL.Path {
		case "/health":
			reply(w, 200, map[string]string{"status": "ok"})
		case "/v1/models":
			reply(w, 200, map[string]interface{}{"object": "list", "data": []map[string]string{{"id": "claude-sonnet-4.5"}}})
		case "/v1/messages":
			reply(w, 200, map[string]string{"id": "msg_test", "type": "message"})
		case "/api/admin/user-credentials":
			reply(w, 200, map[string]interface{}{"credentials": []string{}})
		default:
			reply(w, 404, map[string]string{"error": "not found"})
		}
	})
	addr := fmt.Sprintf("127.0.0.1:%d", *port)
	log.Printf("listening on %s", addr)
	log.Fatal(http.ListenAndServe(addr, mux))
}
