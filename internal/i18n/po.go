package i18n

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// POFile is a gettext PO (or POT) file as the translate commands read and write it:
// the header (the msgstr of the empty msgid) and the messages, in file order.
type POFile struct {
	Header  string
	Entries []*POEntry
}

// POEntry is one message of a PO file.
type POEntry struct {
	// Comments are the lines before the message that start with "#" ("#: file:line",
	// "#, fuzzy", "# translator's note"), kept as written.
	Comments []string
	ID       string
	Plural   string   // msgid_plural; empty for a message without plural forms
	Str      []string // msgstr, or msgstr[0], msgstr[1] … for a plural message
	Obsolete bool     // written "#~": kept for translators, unused by the application
	Line     int      // the line of its msgid
}

// Translated reports whether every form of the message has a translation.
func (e *POEntry) Translated() bool {
	if len(e.Str) == 0 {
		return false
	}
	for _, s := range e.Str {
		if s == "" {
			return false
		}
	}
	return true
}

// PluralCount is the nplurals of the header's Plural-Forms, or 0 when it has none.
func (f *POFile) PluralCount() int {
	for _, line := range strings.Split(f.Header, "\n") {
		if v, ok := strings.CutPrefix(line, "Plural-Forms:"); ok {
			for _, part := range strings.Split(v, ";") {
				if n, ok := strings.CutPrefix(strings.TrimSpace(part), "nplurals="); ok {
					if i, err := strconv.Atoi(strings.TrimSpace(n)); err == nil {
						return i
					}
				}
			}
		}
	}
	return 0
}

// Lookup returns the live (not obsolete) message with msgid id, or nil.
func (f *POFile) Lookup(id string) *POEntry {
	for _, e := range f.Entries {
		if e.ID == id && !e.Obsolete {
			return e
		}
	}
	return nil
}

// ParsePO reads a PO file; name prefixes the errors, which give the line ("name:12: …").
func ParsePO(name string, data []byte) (*POFile, error) {
	f := &POFile{}
	var cur *POEntry
	var comments []string
	var field *string // the string that continuation lines extend
	headerSeen := false
	finish := func() error {
		if cur == nil {
			return nil
		}
		if cur.Str == nil {
			return fmt.Errorf("%s:%d: msgid %q has no msgstr", name, cur.Line, cur.ID)
		}
		if cur.ID == "" && !cur.Obsolete {
			if headerSeen {
				return fmt.Errorf("%s:%d: a second header (empty msgid)", name, cur.Line)
			}
			headerSeen = true
			f.Header = cur.Str[0]
		} else {
			f.Entries = append(f.Entries, cur)
		}
		cur, field = nil, nil
		return nil
	}
	for i, raw := range strings.Split(string(data), "\n") {
		n := i + 1
		line := strings.TrimSpace(strings.TrimSuffix(raw, "\r"))
		obsolete := false
		if rest, ok := strings.CutPrefix(line, "#~"); ok {
			obsolete, line = true, strings.TrimSpace(rest)
		}
		switch {
		case line == "":
			if !obsolete {
				if err := finish(); err != nil {
					return nil, err
				}
			}
			continue
		case strings.HasPrefix(line, "#"):
			if cur != nil && cur.Str != nil {
				if err := finish(); err != nil {
					return nil, err
				}
			}
			comments = append(comments, line)
			continue
		}
		keyword, rest, _ := strings.Cut(line, " ")
		if strings.HasPrefix(line, `"`) {
			keyword, rest = "", line
		}
		var s string
		if keyword != "" || rest != "" {
			v, err := strconv.Unquote(strings.TrimSpace(rest))
			if err != nil || !strings.HasPrefix(strings.TrimSpace(rest), `"`) {
				return nil, fmt.Errorf("%s:%d: expected a quoted string: %s", name, n, line)
			}
			s = v
		}
		switch {
		case keyword == "":
			if field == nil {
				return nil, fmt.Errorf("%s:%d: a string continues nothing", name, n)
			}
			*field += s
		case keyword == "msgctxt":
			return nil, fmt.Errorf("%s:%d: msgctxt is not used by this application", name, n)
		case keyword == "msgid":
			if err := finish(); err != nil {
				return nil, err
			}
			cur = &POEntry{Comments: comments, ID: s, Line: n, Obsolete: obsolete}
			comments = nil
			field = &cur.ID
		case keyword == "msgid_plural":
			if cur == nil || cur.Str != nil {
				return nil, fmt.Errorf("%s:%d: msgid_plural without msgid", name, n)
			}
			cur.Plural = s
			field = &cur.Plural
		case keyword == "msgstr":
			if cur == nil || cur.Str != nil || cur.Plural != "" {
				return nil, fmt.Errorf("%s:%d: msgstr out of place", name, n)
			}
			cur.Str = []string{s}
			field = &cur.Str[0]
		case strings.HasPrefix(keyword, "msgstr[") && strings.HasSuffix(keyword, "]"):
			idx, err := strconv.Atoi(keyword[len("msgstr[") : len(keyword)-1])
			if cur == nil || cur.Plural == "" || err != nil || idx != len(cur.Str) {
				return nil, fmt.Errorf("%s:%d: %s out of place", name, n, keyword)
			}
			cur.Str = append(cur.Str, s)
			field = &cur.Str[idx]
		default:
			return nil, fmt.Errorf("%s:%d: unknown keyword %q", name, n, keyword)
		}
	}
	if err := finish(); err != nil {
		return nil, err
	}
	return f, nil
}

// Bytes writes the file in the usual layout: header first, one blank line between
// messages, obsolete messages last, long strings split at line breaks.
func (f *POFile) Bytes() []byte {
	var b bytes.Buffer
	writePOString(&b, "", "msgid", "")
	writePOString(&b, "", "msgstr", f.Header)
	var obsolete []*POEntry
	for _, e := range f.Entries {
		if e.Obsolete {
			obsolete = append(obsolete, e)
			continue
		}
		writePOEntry(&b, e, "")
	}
	for _, e := range obsolete {
		writePOEntry(&b, e, "#~ ")
	}
	return b.Bytes()
}

func writePOEntry(b *bytes.Buffer, e *POEntry, prefix string) {
	b.WriteString("\n")
	for _, c := range e.Comments {
		if prefix == "" || !strings.HasPrefix(c, "#:") {
			b.WriteString(c + "\n")
		}
	}
	writePOString(b, prefix, "msgid", e.ID)
	if e.Plural != "" {
		writePOString(b, prefix, "msgid_plural", e.Plural)
		for i, s := range e.Str {
			writePOString(b, prefix, fmt.Sprintf("msgstr[%d]", i), s)
		}
		return
	}
	s := ""
	if len(e.Str) > 0 {
		s = e.Str[0]
	}
	writePOString(b, prefix, "msgstr", s)
}

// writePOString writes keyword "s", split after each "\n" when s holds several lines.
func writePOString(b *bytes.Buffer, prefix, keyword, s string) {
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) <= 1 {
		fmt.Fprintf(b, "%s%s %s\n", prefix, keyword, quotePO(s))
		return
	}
	fmt.Fprintf(b, "%s%s \"\"\n", prefix, keyword)
	for _, l := range lines {
		fmt.Fprintf(b, "%s%s\n", prefix, quotePO(l))
	}
}

// quotePO quotes s with the C escapes PO files use, leaving other characters as UTF-8.
func quotePO(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\t", `\t`, "\r", `\r`)
	return `"` + r.Replace(s) + `"`
}
