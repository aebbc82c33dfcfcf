// Package corktest counts the write system calls a server makes on its connections, for
// tests that check how many writes a response took (package cork's, and the server's
// wiring of it). Put it under cork.Listen, next to the socket.
package corktest

import (
	"net"
	"sync/atomic"
)

// Listener counts in Writes every Write on the connections it accepts.
type Listener struct {
	net.Listener
	Writes *atomic.Int64
}

// Accept wraps the accepted connection.
func (l Listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return conn{c, l.Writes}, nil
}

type conn struct {
	net.Conn
	writes *atomic.Int64
}

func (c conn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}
