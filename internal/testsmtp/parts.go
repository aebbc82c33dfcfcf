package testsmtp

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"strings"
)

// Part is one leaf of a message's MIME tree, its content decoded.
type Part struct {
	ContentType string // media type without parameters, e.g. "text/plain"
	Filename    string // from Content-Disposition, "" for bodies
	Data        []byte
}

// Parts walks the message's MIME tree (multipart/mixed, /alternative, …) and returns
// its leaves in order, with base64 and quoted-printable content decoded.
func (m Message) Parts() ([]Part, error) {
	msg, err := m.Parse()
	if err != nil {
		return nil, fmt.Errorf("testsmtp: parse: %w", err)
	}
	return parts(textproto.MIMEHeader(msg.Header), msg.Body)
}

// Attachment returns the decoded content of the part with the given file name.
func (m Message) Attachment(filename string) (Part, error) {
	ps, err := m.Parts()
	if err != nil {
		return Part{}, err
	}
	for _, p := range ps {
		if p.Filename == filename {
			return p, nil
		}
	}
	return Part{}, fmt.Errorf("testsmtp: no attachment %q among %d parts", filename, len(ps))
}

// Body returns the decoded text of the first part of the given media type that is not
// an attachment ("text/plain", "text/html").
func (m Message) Body(contentType string) (string, error) {
	ps, err := m.Parts()
	if err != nil {
		return "", err
	}
	for _, p := range ps {
		if p.ContentType == contentType && p.Filename == "" {
			return string(p.Data), nil
		}
	}
	return "", fmt.Errorf("testsmtp: no %s body among %d parts", contentType, len(ps))
}

func parts(h textproto.MIMEHeader, body io.Reader) ([]Part, error) {
	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		mediaType, params = "text/plain", nil
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		r := multipart.NewReader(body, params["boundary"])
		var out []Part
		for {
			p, err := r.NextRawPart()
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			if err != nil {
				return nil, fmt.Errorf("testsmtp: %s: %w", mediaType, err)
			}
			sub, err := parts(p.Header, p)
			if err != nil {
				return nil, err
			}
			out = append(out, sub...)
		}
	}
	switch strings.ToLower(h.Get("Content-Transfer-Encoding")) {
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body) // line breaks are skipped
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	}
	data, err := io.ReadAll(body)
	if err != nil {
		return nil, fmt.Errorf("testsmtp: %s part: %w", mediaType, err)
	}
	p := Part{ContentType: mediaType, Data: data}
	if _, dp, err := mime.ParseMediaType(h.Get("Content-Disposition")); err == nil {
		p.Filename = dp["filename"]
	}
	if p.Filename == "" {
		p.Filename = params["name"]
	}
	return []Part{p}, nil
}
