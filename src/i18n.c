/*
 * The catalogue is the .mo file that msgfmt builds from po/id.po, but it is looked up here rather
 * than through gettext(): glibc's gettext translates only when setlocale() succeeds for the user's
 * locale, and minimal servers have only C.UTF-8 generated, so `LANG=id_ID.UTF-8` or `--lang id`
 * would silently print English. Reading the .mo directly works with any installed locales.
 */
#include "i18n.h"

#include "config.h"

#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MO_MAGIC         0x950412deu
#define MO_MAGIC_SWAPPED 0xde120495u

static struct {
	const unsigned char *map;
	size_t size;
	uint32_t count;
	uint32_t orig_off;
	uint32_t trans_off;
	int swapped;
	uint8_t *rejected; /* count flags: translations whose conversions differ from the msgid */
	char lang[8];
} catalogue = {.lang = "en"};

static uint32_t mo_u32(size_t off)
{
	uint32_t v;
	memcpy(&v, catalogue.map + off, sizeof(v));
	return catalogue.swapped ? __builtin_bswap32(v) : v;
}

/* Entry i of a string table, or NULL when the file lies about offsets. */
static const char *mo_string(uint32_t table, uint32_t i)
{
	size_t slot = (size_t)table + (size_t)i * 8;
	if (slot + 8 > catalogue.size)
		return NULL;
	uint32_t len = mo_u32(slot), off = mo_u32(slot + 4);
	if ((size_t)off + len + 1 > catalogue.size || catalogue.map[off + len] != '\0')
		return NULL;
	return (const char *)catalogue.map + off;
}

/* --- printf conversions of a msgid and its translation ------------------------------------ */

#define FORMAT_ARGS_MAX 32

/* One argument's type as printf reads it: the conversion's class and its length modifier. */
struct format_arg {
	char kind;      /* 'i' signed, 'u' unsigned, 'f' floating, 'c', 's', 'p'; 0 unused */
	char length[3]; /* "", "h", "hh", "l", "ll", "L", "j", "z", "t" */
};

static bool parse_number(const char **p, unsigned int *out)
{
	if (**p < '0' || **p > '9')
		return false;
	unsigned int v = 0;
	while (**p >= '0' && **p <= '9') {
		if (v > 1000000)
			return false;
		v = v * 10 + (unsigned int)(**p - '0');
		(*p)++;
	}
	*out = v;
	return true;
}

/* "N$" after a '%' or a '*': the argument's position, 0 when there is none. */
static unsigned int parse_position(const char **p)
{
	const char *q = *p;
	unsigned int n;
	if (!parse_number(&q, &n) || *q != '$' || n == 0)
		return 0;
	*p = q + 1;
	return n;
}

/* Records argument `pos` (1-based, or the next one when 0) as type t. False when the format
 * mixes numbered and unnumbered arguments, has too many, or gives one argument two types. */
static bool format_take(struct format_arg *args, unsigned int *next, int *numbered,
                        unsigned int pos, struct format_arg t)
{
	int this_numbered = pos != 0;
	if (*numbered >= 0 && *numbered != this_numbered)
		return false;
	*numbered = this_numbered;
	if (!pos)
		pos = ++*next;
	if (pos > FORMAT_ARGS_MAX)
		return false;
	struct format_arg *a = &args[pos - 1];
	if (a->kind && memcmp(a, &t, sizeof(t)))
		return false;
	*a = t;
	return true;
}

/* A field width or precision: digits, or '*' (optionally '*N$'), which reads an int. */
static bool format_width(const char **p, struct format_arg *args, unsigned int *next, int *numbered)
{
	if (**p != '*') {
		unsigned int ignored;
		parse_number(p, &ignored);
		return true;
	}
	(*p)++;
	const struct format_arg star = {.kind = 'i'};
	return format_take(args, next, numbered, parse_position(p), star);
}

/* The arguments fmt makes printf read, in order; false when fmt is not a format connwatch could
 * safely pass to printf (an unknown conversion, %n, a dangling %, a gap among numbered ones). */
static bool format_args(const char *fmt, struct format_arg args[FORMAT_ARGS_MAX])
{
	memset(args, 0, sizeof(struct format_arg) * FORMAT_ARGS_MAX);
	unsigned int next = 0;
	int numbered = -1;
	for (const char *p = fmt; (p = strchr(p, '%')) != NULL;) {
		p++;
		if (*p == '%') {
			p++;
			continue;
		}
		unsigned int pos = parse_position(&p);
		p += strspn(p, "-+ #0'I");
		if (!format_width(&p, args, &next, &numbered))
			return false;
		if (*p == '.') {
			p++;
			if (!format_width(&p, args, &next, &numbered))
				return false;
		}
		struct format_arg t = {0};
		size_t ln = 0;
		if ((p[0] == 'h' && p[1] == 'h') || (p[0] == 'l' && p[1] == 'l'))
			ln = 2;
		else if (*p && strchr("hlLqjzZt", *p))
			ln = 1;
		memcpy(t.length, p, ln);
		if (ln == 1 && (t.length[0] == 'q'))
			memcpy(t.length, "ll", 2); /* BSD's q is ll */
		if (ln == 1 && t.length[0] == 'Z')
			t.length[0] = 'z';
		p += ln;
		char conv = *p ? *p++ : '\0';
		switch (conv) {
		case 'd':
		case 'i':
			t.kind = 'i';
			break;
		case 'o':
		case 'u':
		case 'x':
		case 'X':
			t.kind = 'u';
			break;
		case 'e':
		case 'E':
		case 'f':
		case 'F':
		case 'g':
		case 'G':
		case 'a':
		case 'A':
			t.kind = 'f';
			break;
		case 'c':
		case 'C':
			t.kind = 'c';
			break;
		case 's':
		case 'S':
			t.kind = 's';
			break;
		case 'p':
			t.kind = 'p';
			break;
		case 'm': /* strerror(errno): reads no argument */
			continue;
		default: /* %n writes through a pointer; anything else is not ours */
			return false;
		}
		if (conv == 'C' || conv == 'S')
			memcpy(t.length, "l", 2);
		if (!format_take(args, &next, &numbered, pos, t))
			return false;
	}
	/* numbered arguments must leave no gap: printf could not know the skipped one's size */
	bool ended = false;
	for (unsigned int i = 0; i < FORMAT_ARGS_MAX; i++) {
		if (!args[i].kind)
			ended = true;
		else if (ended)
			return false;
	}
	return true;
}

bool i18n_format_compatible(const char *msgid, const char *msgstr)
{
	struct format_arg a[FORMAT_ARGS_MAX], b[FORMAT_ARGS_MAX];
	bool id_ok = format_args(msgid, a);
	if (!format_args(msgstr, b))
		return false;
	/* A msgid that is no valid format is never given to printf, but its translation could
	 * be shown through one by mistake: it then may not read arguments either. */
	if (!id_ok)
		memset(a, 0, sizeof(a));
	return !memcmp(a, b, sizeof(a));
}

/* As `msgfmt -c` would, before any translation is used: one whose conversions differ from its
 * msgid's is dropped (the English text is shown instead), so a catalogue cannot make printf read
 * arguments that were never passed. */
static int mo_check_formats(void)
{
	if (catalogue.count > catalogue.size / 16)
		return -1; /* two 8-byte table slots per entry: the header lies */
	catalogue.rejected = calloc(catalogue.count ? catalogue.count : 1, 1);
	if (!catalogue.rejected)
		return -1;
	for (uint32_t i = 0; i < catalogue.count; i++) {
		const char *orig = mo_string(catalogue.orig_off, i);
		const char *trans = mo_string(catalogue.trans_off, i);
		if (orig && trans && *orig && !i18n_format_compatible(orig, trans))
			catalogue.rejected[i] = 1;
	}
	return 0;
}

static int mo_load(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_size < 28 || st.st_size > (1 << 24)) {
		close(fd);
		return -1;
	}
	void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return -1;
	catalogue.map = map;
	catalogue.size = (size_t)st.st_size;
	uint32_t magic;
	memcpy(&magic, map, sizeof(magic));
	if (magic != MO_MAGIC && magic != MO_MAGIC_SWAPPED) {
		i18n_cleanup();
		return -1;
	}
	catalogue.swapped = magic == MO_MAGIC_SWAPPED;
	catalogue.count = mo_u32(8);
	catalogue.orig_off = mo_u32(12);
	catalogue.trans_off = mo_u32(16);
	if (mo_check_formats() < 0) {
		i18n_cleanup();
		return -1;
	}
	return 0;
}

/* "id_ID.UTF-8" -> "id"; NULL for C/POSIX. */
static const char *lang_of_locale(const char *v, char *buf, size_t len)
{
	if (!v || !*v || !strcmp(v, "C") || !strcmp(v, "POSIX"))
		return NULL;
	size_t n = strcspn(v, "_.@:");
	if (n == 0 || n >= len)
		return NULL;
	memcpy(buf, v, n);
	buf[n] = '\0';
	return buf;
}

static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

static const char *pick_language(char *buf, size_t len)
{
	const char *loc = env_nonempty("LC_ALL");
	if (!loc)
		loc = env_nonempty("LC_MESSAGES");
	if (!loc)
		loc = env_nonempty("LANG");
	if (!loc || !strcmp(loc, "C") || !strcmp(loc, "POSIX"))
		return NULL; /* as gettext does: the C locale means untranslated */
	const char *language = env_nonempty("LANGUAGE");
	if (language) {
		/* LANGUAGE is a priority list; the first entry connwatch has wins. */
		char tmp[8];
		const char *p = language;
		while (*p) {
			const char *l = lang_of_locale(p, tmp, sizeof(tmp));
			if (l && (!strcmp(l, "id") || !strcmp(l, "en"))) {
				snprintf(buf, len, "%s", l);
				return buf;
			}
			p += strcspn(p, ":");
			p += *p == ':';
		}
	}
	return lang_of_locale(loc, buf, len);
}

static int load_for(const char *lang)
{
	char path[PATH_MAX + 64];
	/* secure_getenv: a set-id connwatch must not read a catalogue the caller chose */
	const char *dir = secure_getenv("CONNWATCH_LOCALEDIR");
	if (dir && !*dir)
		dir = NULL;
	if (dir) {
		snprintf(path, sizeof(path), "%s/%s/LC_MESSAGES/%s.mo", dir, lang, GETTEXT_PACKAGE);
		return mo_load(path);
	}
	/* A binary run from its build tree finds the catalogue that meson built beside it. */
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(path, sizeof(path), "%s/po/%s/LC_MESSAGES/%s.mo", exe, lang,
			         GETTEXT_PACKAGE);
			if (mo_load(path) == 0)
				return 0;
		}
	}
	snprintf(path, sizeof(path), "%s/%s/LC_MESSAGES/%s.mo", LOCALEDIR, lang, GETTEXT_PACKAGE);
	return mo_load(path);
}

int i18n_init(const char *forced)
{
	setlocale(LC_ALL, "");
	i18n_cleanup();
	char buf[8];
	const char *lang;
	if (forced) {
		if (strcmp(forced, "en") && strcmp(forced, "id"))
			return -1;
		lang = forced;
	} else {
		lang = pick_language(buf, sizeof(buf));
	}
	if (!lang || strcmp(lang, "id"))
		return 0;
	if (load_for(lang) == 0)
		snprintf(catalogue.lang, sizeof(catalogue.lang), "%s", lang);
	return 0;
}

const char *i18n_text(const char *msgid)
{
	if (!catalogue.map || !msgid || !*msgid)
		return msgid;
	/* msgfmt writes the originals sorted, so a binary search finds one. */
	uint32_t lo = 0, hi = catalogue.count;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const char *orig = mo_string(catalogue.orig_off, mid);
		if (!orig)
			return msgid;
		int c = strcmp(msgid, orig);
		if (c == 0) {
			const char *t = mo_string(catalogue.trans_off, mid);
			return t && *t && !catalogue.rejected[mid] ? t : msgid;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return msgid;
}

const char *i18n_plural(const char *singular, const char *plural, unsigned long n)
{
	/* A plural entry's original is "singular\0plural": the lookup by the singular finds it,
	 * and its translation starts with form 0, the only form Indonesian has. */
	const char *t = i18n_text(singular);
	if (t != singular)
		return t;
	return n == 1 ? singular : plural;
}

size_t i18n_rejected_count(void)
{
	size_t n = 0;
	for (uint32_t i = 0; catalogue.rejected && i < catalogue.count; i++)
		n += catalogue.rejected[i];
	return n;
}

const char *i18n_language(void)
{
	return catalogue.lang;
}

void i18n_cleanup(void)
{
	if (catalogue.map)
		munmap((void *)catalogue.map, catalogue.size);
	catalogue.map = NULL;
	free(catalogue.rejected);
	catalogue.rejected = NULL;
	catalogue.size = 0;
	catalogue.count = 0;
	snprintf(catalogue.lang, sizeof(catalogue.lang), "en");
}
