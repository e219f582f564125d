/* Runs a harness over seed corpora without libFuzzer: every regular file under each argument
 * (a file or a directory, walked recursively) is passed to LLVMFuzzerTestOneInput once. Built
 * into the normal suite (suite 'fuzz'), so the corpora and every past crash input are replayed on
 * each test run, under ASan+UBSan in build-asan. A crash is the failure; otherwise it prints how
 * many inputs ran and fails when there were none (an empty corpus asserts nothing). */
#include "fuzz.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static unsigned long inputs;
static int read_errors;

static int run_file(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)ftw;
	if (type != FTW_F || !S_ISREG(st->st_mode))
		return 0;
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		read_errors++;
		return 0;
	}
	size_t size = (size_t)st->st_size;
	/* An exact-size heap copy: a read past the end of the input is an ASan report. */
	uint8_t *data = malloc(size ? size : 1);
	if (!data || fread(data, 1, size, f) != size) {
		fprintf(stderr, "cannot read %s\n", path);
		read_errors++;
	} else {
		LLVMFuzzerTestOneInput(data, size);
		inputs++;
	}
	free(data);
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++)
		if (nftw(argv[i], run_file, 16, FTW_PHYS) != 0) {
			fprintf(stderr, "cannot walk %s\n", argv[i]);
			return 1;
		}
	printf("# %lu inputs replayed\n", inputs);
	return inputs == 0 || read_errors ? 1 : 0;
}
