// go_reference.go: bench-ref-go, the Go reference server of bench-throughput.
//
// What a Go proxy would do for GET /v1/models: net/http's server (a goroutine per
// connection), an API-key check, the same JSON body as kiro-proxy's, and one access line per
// request through the standard log package to stderr, which the bench drains. The log
// package holds its mutex across the write to stderr, exactly the pattern that freezes when
// nobody reads the pipe; here the pipe is drained, so this is the reference at its best.
// Standard library only: it builds offline with `go build`.
//
//	bench-ref-go -listen 127.0.0.1:PORT -body FILE -api-key KEY
package main

import (
	"crypto/subtle"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"sync/atomic"
	"time"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:8080", "address to listen on")
	bodyPath := flag.String("body", "", "file holding the /v1/models response body")
	apiKey := flag.String("api-key", "", "required x-api-key")
	flag.Parse()
	body, err := os.ReadFile(*bodyPath)
	if err != nil || *apiKey == "" {
		fmt.Fprintln(os.Stderr, "usage: bench-ref-go -listen ADDR -body FILE -api-key KEY")
		os.Exit(2)
	}
	log.SetFlags(log.LstdFlags | log.Lmicroseconds | log.LUTC)
	key := []byte(*apiKey)
	var served uint64

	mux := http.NewServeMux()
	mux.HandleFunc("/v1/models", func(w http.ResponseWriter, r *http.Request) {
		id := atomic.AddUint64(&served, 1)
		if r.Method != http.MethodGet {
			http.Error(w, `{"type":"error","error":{"type":"invalid_request_error"}}`, http.StatusMethodNotAllowed)
			return
		}
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("x-api-key")), key) != 1 {
			log.Printf("[AUTH] rejected %s %s ua=%.200s id=%d", r.Method, r.URL.Path, r.UserAgent(), id)
			http.Error(w, `{"type":"error","error":{"type":"authentication_error"}}`, http.StatusUnauthorized)
			return
		}
		log.Printf("[AUTH] %s %s key=*** ua=%.200s id=%d", r.Method, r.URL.Path, r.UserAgent(), id)
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	server := &http.Server{
		Addr:              *listen,
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       300 * time.Second,
	}
	log.Fatal(server.ListenAndServe())
}
