// Package syncdir forces a folder's entries to disk, so that a file
// created or renamed into it (an atomic write's rename) survives a crash
// or a power loss, not only its contents.
package syncdir
