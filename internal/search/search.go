// Package search finds posts by the words of their bodies with each database's own
// full-text index, which the database keeps in step with the post table in the
// transaction that writes a post (revision 84fc1485177b; docs/search.md):
//
//   - SQLite: the FTS5 table post_fts (Porter stemming, accents folded), fed by
//     triggers on post, ranked by bm25;
//   - PostgreSQL: the generated column post.body_tsv under a GIN index, built with the
//     text search configuration of the post's language, ranked by ts_rank;
//   - MySQL/MariaDB: the InnoDB FULLTEXT index ft_post_body, ranked by its relevance.
//
// A query is a list of words (Words), never the database's query syntax; a post matches
// when it holds every word. Results come most relevant first, newest first among equals,
// within windows of the Window newest matches (see Window).
package search

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
)

// configs are the PostgreSQL text search configurations the generated column picks
// from by post.language (see the revision), 'simple' last for every other language.
// A query is parsed with each of them, so that it finds a post in any of them.
var configs = []string{"danish", "dutch", "english", "finnish", "french", "german", "hungarian", "italian",
	"norwegian", "portuguese", "romanian", "russian", "spanish", "swedish", "turkish", "simple"}

// Posts returns a page of the posts holding every word of query (see Words), most
// relevant first and newest first among equally relevant ones, window by window (see
// Window), with their authors; limit posts from offset. A query without words finds
// nothing.
func Posts(ctx context.Context, s *database.Session, query string, limit, offset int) ([]*models.Post, error) {
	ids, err := PostIDs(ctx, s, query, limit, offset)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	var posts []*models.Post
	if err := s.NewSelect().Model(&posts).Relation("Author").Where("p.id IN (?)", bun.List(ids)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("search: load posts: %w", err)
	}
	rank := make(map[int64]int, len(ids))
	for i, id := range ids {
		rank[id] = i
	}
	slices.SortFunc(posts, func(a, b *models.Post) int { return rank[a.ID] - rank[b.ID] })
	return posts, nil
}

// Window is how many matches are ranked together. Relevance orders the Window newest
// matching posts, then the next Window, and so on: a page shows 25 of them, and ranking
// all 39,000 posts that hold a common word, among a million, takes about seven times as
// long as ranking a window (BenchmarkSearchRankAll in internal/web). Every match is still
// reachable by paging, each once.
const Window = 1000

// PostIDs is Posts without loading the posts: their ids, in order.
func PostIDs(ctx context.Context, s *database.Session, query string, limit, offset int) ([]int64, error) {
	words := Words(query)
	rank, err := ranker(ctx, s, words)
	if err != nil || rank == nil {
		return nil, err
	}
	var out []int64
	for limit > 0 {
		within := offset % Window
		n := min(limit, Window-within)
		var ids []int64
		sql, args := rank(offset-within, n, within)
		if err := s.NewRaw(sql, args...).Scan(ctx, &ids); err != nil {
			return nil, fmt.Errorf("search: posts matching %q: %w", strings.Join(words, " "), err)
		}
		out = append(out, ids...)
		if len(ids) < n {
			break // the last window
		}
		limit -= n
		offset += n
	}
	return out, nil
}

// ranker returns the statement that ranks one window — the Window matches after the
// start newest — and returns limit of its ids from within; nil when the words cannot
// match anything.
func ranker(ctx context.Context, s *database.Session, words []string) (func(start, limit, within int) (string, []any), error) {
	switch name := s.NewSelect().Dialect().Name(); name {
	case dialect.SQLite:
		if len(words) == 0 {
			return nil, nil
		}
		// Each word a quoted FTS5 string: the tokenizer (and stemmer) sees the word,
		// the query parser sees no operator. Strings side by side must all match. The
		// window is a rowid range, which FTS5 applies before ranking.
		quoted := make([]string, len(words))
		for i, w := range words {
			quoted[i] = `"` + w + `"` // words hold no quotes (Words)
		}
		m := strings.Join(quoted, " ")
		nth := `(SELECT rowid FROM post_fts WHERE post_fts MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?)`
		return func(start, limit, within int) (string, []any) {
			return `SELECT rowid FROM post_fts WHERE post_fts MATCH ? AND rowid <= ` + nth + ` AND rowid > COALESCE(` + nth + `, 0)
				ORDER BY rank, rowid DESC LIMIT ? OFFSET ?`, []any{m, m, start, m, start + Window, limit, within}
		}, nil
	case dialect.PG:
		q, err := tsquery(ctx, s, words)
		if err != nil || q == "" {
			return nil, err
		}
		matches, rows, err := estimate(ctx, s, q)
		if err != nil {
			return nil, err
		}
		// The query is a constant in the statement (bun writes arguments into it). The
		// window is found one of two ways: walking the newest posts backwards until it
		// is full reads about (start+Window)·rows/matches posts, in index order;
		// reading every match from the GIN index and sorting reads matches posts, each
		// a random heap access, measured about bitmapRowCost times dearer. The planner,
		// costing the @@ filter as nearly free, walks backwards for words in a few
		// thousand posts too (220,000 posts read for 4,600 matches on 1,000,000: 180
		// ms), so the cheaper way is chosen here from its own estimates; "p.id + 0"
		// keeps it off the primary key.
		return func(start, limit, within int) (string, []any) {
			order := "p.id DESC"
			if bitmapRowCost*matches*matches < float64(start+Window)*rows {
				order = "p.id + 0 DESC"
			}
			return `SELECT m.id FROM (SELECT p.id, p.body_tsv FROM post AS p WHERE p.body_tsv @@ CAST(? AS tsquery)
				ORDER BY ` + order + ` OFFSET ? LIMIT ?) AS m ORDER BY ts_rank(m.body_tsv, CAST(? AS tsquery)) DESC, m.id DESC LIMIT ? OFFSET ?`,
				[]any{q, start, Window, q, limit, within}
		}, nil
	case dialect.MySQL:
		words, err := indexedWords(ctx, s, words)
		if err != nil || len(words) == 0 {
			return nil, err
		}
		must := make([]string, len(words))
		for i, w := range words {
			must[i] = "+" + w // words hold no operators (Words)
		}
		q := strings.Join(must, " ")
		return func(start, limit, within int) (string, []any) {
			return `SELECT p.id FROM post AS p JOIN (SELECT id FROM post WHERE MATCH(body) AGAINST(? IN BOOLEAN MODE)
				ORDER BY id DESC LIMIT ? OFFSET ?) AS m ON m.id = p.id
				ORDER BY MATCH(p.body) AGAINST(? IN BOOLEAN MODE) DESC, p.id DESC LIMIT ? OFFSET ?`,
				[]any{q, Window, start, q, limit, within}
		}, nil
	default:
		return nil, fmt.Errorf("search: unknown dialect %s", name)
	}
}

// tsquery is the PostgreSQL query for words: plainto_tsquery (plain words, no
// operators, ANDed) with each configuration of configs, so that a post matches in its
// own language, without repeats, ORed: "running" gives 'run' | 'running' | 'runningi'.
// "" when every configuration drops every word (stop words).
func tsquery(ctx context.Context, s *database.Session, words []string) (string, error) {
	if len(words) == 0 {
		return "", nil
	}
	values := make([]string, len(configs))
	for i, c := range configs {
		values[i] = "('" + c + "')" // our constants
	}
	var parts []string
	err := s.NewRaw(`SELECT DISTINCT CAST(plainto_tsquery(CAST(c.name AS regconfig), ?) AS text) AS q FROM (VALUES `+
		strings.Join(values, ", ")+`) AS c (name) ORDER BY q`, strings.Join(words, " ")).Scan(ctx, &parts)
	if err != nil {
		return "", fmt.Errorf("search: parse %q: %w", strings.Join(words, " "), err)
	}
	parts = slices.DeleteFunc(parts, func(p string) bool { return p == "" })
	for i, p := range parts {
		parts[i] = "(" + p + ")"
	}
	return strings.Join(parts, " | "), nil
}

// bitmapRowCost is what reading a matching post through the GIN index costs, in posts
// walked backwards along the primary key (BenchmarkSearch, PostgreSQL 15 on 1,000,000
// posts: about 2.8 µs against 0.5 µs).
const bitmapRowCost = 4

// estimate returns the planner's estimates of the posts matching the tsquery q and of
// all posts.
func estimate(ctx context.Context, s *database.Session, q string) (matches, rows float64, err error) {
	var plan string
	if err := s.NewRaw("EXPLAIN (FORMAT JSON) SELECT 1 FROM post WHERE body_tsv @@ CAST(? AS tsquery)", q).Scan(ctx, &plan); err != nil {
		return 0, 0, fmt.Errorf("search: estimate %q: %w", q, err)
	}
	var explained []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		} `json:"Plan"`
	}
	if err := json.Unmarshal([]byte(plan), &explained); err != nil || len(explained) != 1 {
		return 0, 0, fmt.Errorf("search: estimate %q: unexpected plan %.200s", q, plan)
	}
	if err := s.NewRaw("SELECT GREATEST(reltuples, 0) FROM pg_class WHERE oid = CAST('post' AS regclass)").Scan(ctx, &rows); err != nil {
		return 0, 0, fmt.Errorf("search: count posts: %w", err)
	}
	return explained[0].Plan.Rows, rows, nil
}

// indexedWords drops the words InnoDB leaves out of a FULLTEXT index — shorter than
// innodb_ft_min_token_size, or stop words — since a required word (+word) the index
// cannot hold makes every search fail. The server's own settings are read, so a site
// that changed them gets what it configured.
func indexedWords(ctx context.Context, s *database.Session, words []string) ([]string, error) {
	var minSize int
	var useStop bool
	var table string
	if err := s.NewRaw("SELECT @@innodb_ft_min_token_size, @@innodb_ft_enable_stopword, COALESCE(@@innodb_ft_server_stopword_table, '')").
		Scan(ctx, &minSize, &useStop, &table); err != nil {
		return nil, fmt.Errorf("search: read the FULLTEXT settings: %w", err)
	}
	var stop []string
	if useStop {
		from := "information_schema.INNODB_FT_DEFAULT_STOPWORD"
		if table != "" {
			schema, name, _ := strings.Cut(table, "/")
			from = "`" + strings.ReplaceAll(schema, "`", "``") + "`.`" + strings.ReplaceAll(name, "`", "``") + "`"
		}
		if err := s.NewRaw("SELECT value FROM "+from).Scan(ctx, &stop); err != nil {
			return nil, fmt.Errorf("search: read the FULLTEXT stop words: %w", err)
		}
	}
	var out []string
	for _, w := range words {
		if len([]rune(w)) >= minSize && !slices.Contains(stop, w) {
			out = append(out, w)
		}
	}
	return out, nil
}
