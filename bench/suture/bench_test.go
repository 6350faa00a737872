// Package suture measures thejerf/suture's restart path on this machine, as
// the twin of pkg/supervisor's BenchmarkCrashRestart. It is a module of its
// own, so that actorsh does not depend on suture:
//
//	cd bench/suture && go test -run XXX -bench . -count 5
package suture

import (
	"context"
	"testing"

	"github.com/thejerf/suture/v4"
)

// crasher is the suture twin of actorsh's BenchmarkCrashRestart child: its
// Serve reports that it started, then panics when told to.
type crasher struct {
	started chan struct{}
	crash   chan struct{}
}

func (c *crasher) Serve(ctx context.Context) error {
	c.started <- struct{}{}
	select {
	case <-c.crash:
		panic("crash")
	case <-ctx.Done():
		return ctx.Err()
	}
}

// BenchmarkCrashRestart: from the order to crash until the restarted
// Serve has begun.
func BenchmarkCrashRestart(b *testing.B) {
	sup := suture.New("bench", suture.Spec{FailureThreshold: 1e12, FailureBackoff: 0, EventHook: func(suture.Event) {}})
	c := &crasher{started: make(chan struct{}), crash: make(chan struct{})}
	sup.Add(c)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go sup.Serve(ctx)
	<-c.started
	b.ReportAllocs()
	for b.Loop() {
		c.crash <- struct{}{}
		<-c.started
	}
}

type failer struct {
	started chan struct{}
	crash   chan struct{}
}

func (c *failer) Serve(ctx context.Context) error {
	c.started <- struct{}{}
	select {
	case <-c.crash:
		return context.Canceled // any error: a failure to restart after
	case <-ctx.Done():
		return ctx.Err()
	}
}

// BenchmarkFailRestart: the same with Serve returning an error.
func BenchmarkFailRestart(b *testing.B) {
	sup := suture.New("bench", suture.Spec{FailureThreshold: 1e12, FailureBackoff: 0, EventHook: func(suture.Event) {}})
	c := &failer{started: make(chan struct{}), crash: make(chan struct{})}
	sup.Add(c)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go sup.Serve(ctx)
	<-c.started
	b.ReportAllocs()
	for b.Loop() {
		c.crash <- struct{}{}
		<-c.started
	}
}
