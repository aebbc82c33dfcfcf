package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/joho/godotenv"
)

// readDotEnv parses a .env file with godotenv. A missing file is not an error. On a
// syntax error it finds the line at fault, which godotenv's own message does not give.
func readDotEnv(path string) (map[string]string, error) {
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	vars, err := godotenv.UnmarshalBytes(data)
	if err == nil {
		return vars, nil
	}
	msg, _, _ := strings.Cut(err.Error(), " near ")
	return nil, fmt.Errorf("config: %s:%d: %s", path, faultyLine(data), msg)
}

// faultyLine returns the first line from which every longer prefix of the file fails to
// parse: a value opened on that line and never closed, or a malformed line.
func faultyLine(data []byte) int {
	lines := strings.SplitAfter(string(data), "\n")
	bad := len(lines)
	for k := len(lines); k >= 1; k-- {
		if _, err := godotenv.Unmarshal(strings.Join(lines[:k], "")); err == nil {
			break
		}
		bad = k
	}
	return bad
}
