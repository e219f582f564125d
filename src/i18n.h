/* Translations. _() marks and translates a user-facing string; N_() only marks it. */
#ifndef CW_I18N_H
#define CW_I18N_H

#include <stdbool.h>
#include <stddef.h>

#define _(s)  i18n_text(s)
#define N_(s) (s)
/* A message with a number in it: the singular or plural form for n (ngettext). */
#define P_(singular, plural, n) i18n_plural(singular, plural, (unsigned long)(n))

/* Chooses the language: `forced` ("id", "en") wins, else LANGUAGE, LC_ALL, LC_MESSAGES, LANG.
 * Returns 0, or -1 when `forced` names a language connwatch does not have. */
int i18n_init(const char *forced);

/* The translation of msgid, or msgid itself. The result lives until i18n_cleanup(). */
const char *i18n_text(const char *msgid);

/* The form of singular/plural for n: English n == 1 ? singular : plural; a translation with
 * several forms by its Plural-Forms (Indonesian has one form: "nplurals=1; plural=0"). */
const char *i18n_plural(const char *singular, const char *plural, unsigned long n);

/* The language in use: "en" or "id". */
const char *i18n_language(void);

void i18n_cleanup(void);

/* True when msgstr makes printf read exactly the arguments msgid does (same count, order or
 * numbered positions, and types), and neither writes through %n: what `msgfmt -c` checks of a
 * c-format entry. A translation that fails is not used. */
bool i18n_format_compatible(const char *msgid, const char *msgstr);

/* How many translations of the loaded catalogue were dropped by that check. */
size_t i18n_rejected_count(void);

#endif
