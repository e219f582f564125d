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
	const char *dir = env_nonempty("CONNWATCH_LOCALEDIR");
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
			return t && *t ? t : msgid;
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

const char *i18n_language(void)
{
	return catalogue.lang;
}

void i18n_cleanup(void)
{
	if (catalogue.map)
		munmap((void *)catalogue.map, catalogue.size);
	catalogue.map = NULL;
	catalogue.size = 0;
	catalogue.count = 0;
	snprintf(catalogue.lang, sizeof(catalogue.lang), "en");
}
