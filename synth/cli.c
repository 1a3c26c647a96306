/* cli.c: getopt_long, and range checks through number.h. */
#include "cli.h"

#include "number.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

void cli_usage(FILE *f)
{
    fputs("usage: irmas-synth --out DIR --per-class N [options]\n"
          "Renders an IRMAS-layout training corpus: DIR/<class>/[cls][dru|nod][genre]SOURCE__N.wav,\n"
          "3-second 44.1 kHz 16-bit stereo excerpts of generated phrases, and DIR/sources.tsv.\n"
          "  --out DIR                where the corpus goes (created)\n"
          "  --per-class N            excerpts per class (1 to 9999)\n"
          "  --seed S                 random seed (default 1); same seed, same bytes\n"
          "  --soundfont FILE         a GM soundfont; repeat for several (default: FluidR3_GM\n"
          "                           and TimGM6mb in /usr/share/sounds/sf2)\n"
          "  --samples DIR            play leads from recorded samples: DIR/<class>/[set/]*.wav\n"
          "                           (and drum kits from DIR/drums/<kit>/); see fetch-samples.sh\n"
          "  --classes LIST           comma-separated codes (default: cel,cla,flu,gac,gel,org,pia,\n"
          "                           sax,tru,vio,voi)\n"
          "  --accompaniment P[:DB]   share of sources with accompaniment, and its level against\n"
          "                           the lead in dB (default 0.7:-8)\n"
          "  --augment LEVEL          none, light or full recording chain (default full)\n"
          "  --seconds S              excerpt length (default 3)\n"
          "  --rate HZ                sample rate (default 44100)\n"
          "  --threads N              worker threads (default 2); output does not depend on it\n"
          "  --excerpts LOW[:HIGH]    excerpts per source (default 2:4)\n"
          "  --source-base N          added to source numbers, to merge corpora (default 0)\n"
          "  -h, --help               this help; --version: the version\n",
          f);
}

/* Copies "A[:B]" into copy (of size bytes), cut at its first colon, and
 * returns B, or NULL when there is no colon. Text too long for copy
 * leaves it empty, which no number parser takes. */
static const char *split_pair(const char *text, char *copy, size_t size)
{
    copy[0] = '\0';
    if (strlen(text) >= size) return NULL;
    strcpy(copy, text);
    char *colon = strchr(copy, ':');
    if (colon) *colon++ = '\0';
    return colon;
}

static irmas_status bad(char *err, size_t errlen, const char *flag, const char *value, const char *want)
{
    return status_fail(err, errlen, IRMAS_ERR_ARG, "%s %s: %s", flag, value, want);
}

static irmas_status parse_classes(const char *text, cli_options *o, char *err, size_t errlen)
{
    int chosen[CLASS_COUNT] = {0};
    char copy[256];
    snprintf(copy, sizeof copy, "%s", text);
    for (char *save, *code = strtok_r(copy, ", ", &save); code; code = strtok_r(NULL, ", ", &save)) {
        int c = classes_find(code);
        if (c < 0)
            return bad(err, errlen, "--classes", code,
                       "not an IRMAS class (cel cla flu gac gel org pia sax tru vio voi)");
        chosen[c] = 1;
    }
    o->n_classes = 0;
    for (int c = 0; c < CLASS_COUNT; c++)
        if (chosen[c]) o->classes[o->n_classes++] = c;
    return o->n_classes ? IRMAS_OK : bad(err, errlen, "--classes", text, "names no class");
}

static irmas_status parse_accompaniment(const char *text, cli_options *o, char *err, size_t errlen)
{
    char chance[64];
    const char *level = split_pair(text, chance, sizeof chance);
    if (number_real(chance, 0, 1, &o->accomp_chance) != 0 ||
        (level && number_real(level, -60, 20, &o->accomp_db) != 0))
        return bad(err, errlen, "--accompaniment", text,
                   "want P[:LEVEL_DB], P from 0 to 1 and LEVEL_DB from -60 to 20 (e.g. 0.7:-8)");
    return IRMAS_OK;
}

static irmas_status parse_excerpts(const char *text, cli_options *o, char *err, size_t errlen)
{
    char first[64];
    const char *last = split_pair(text, first, sizeof first);
    long low, high;
    if (number_whole(first, 1, 100, &low) != 0 ||
        number_whole(last ? last : first, low, 100, &high) != 0)
        return bad(err, errlen, "--excerpts", text, "want LOW[:HIGH] with 1 <= LOW <= HIGH <= 100");
    o->excerpts_low = (int)low;
    o->excerpts_high = (int)high;
    return IRMAS_OK;
}

static irmas_status parse_number_flag(int flag, const char *arg, cli_options *o, char *err, size_t errlen)
{
    long v;
    switch (flag) {
    case 'n':
        if (number_whole(arg, 1, 9999, &v)) return bad(err, errlen, "--per-class", arg, "want 1 to 9999");
        o->per_class = (int)v;
        return IRMAS_OK;
    case 's': {
        char *e;
        unsigned long long seed = strtoull(arg, &e, 10);
        if (e == arg || *e) return bad(err, errlen, "--seed", arg, "want a whole number");
        o->seed = seed;
        return IRMAS_OK;
    }
    case 'S':
        if (number_real(arg, 0.5, 60, &o->seconds))
            return bad(err, errlen, "--seconds", arg, "want 0.5 to 60");
        return IRMAS_OK;
    case 'r':
        if (number_whole(arg, 8000, 192000, &v)) return bad(err, errlen, "--rate", arg, "want 8000 to 192000");
        o->rate = (int)v;
        return IRMAS_OK;
    case 't':
        if (number_whole(arg, 1, 64, &v)) return bad(err, errlen, "--threads", arg, "want 1 to 64");
        o->threads = (int)v;
        return IRMAS_OK;
    case 'b':
        if (number_whole(arg, 0, 1000000000, &v)) return bad(err, errlen, "--source-base", arg, "want 0 to 1e9");
        o->source_base = v;
        return IRMAS_OK;
    default:
        return IRMAS_ERR_ARG;
    }
}

static irmas_status parse_flag(int flag, const char *arg, cli_options *o, char *err, size_t errlen)
{
    switch (flag) {
    case 'o': o->out_dir = arg; return IRMAS_OK;
    case 'f':
        if (o->n_fonts == CLI_MAX_FONTS) return bad(err, errlen, "--soundfont", arg, "too many soundfonts (16 at most)");
        o->fonts[o->n_fonts++] = arg;
        return IRMAS_OK;
    case 'd': o->samples_dir = arg; return IRMAS_OK;
    case 'c': return parse_classes(arg, o, err, errlen);
    case 'a': return parse_accompaniment(arg, o, err, errlen);
    case 'g':
        if ((int)(o->augment = (augment_level)augment_parse_level(arg)) < 0)
            return bad(err, errlen, "--augment", arg, "want none, light or full");
        return IRMAS_OK;
    case 'e': return parse_excerpts(arg, o, err, errlen);
    case 'h': o->help = 1; return IRMAS_OK;
    case 'V': o->version = 1; return IRMAS_OK;
    default: return parse_number_flag(flag, arg, o, err, errlen);
    }
}

irmas_status cli_parse(int argc, char **argv, cli_options *o, char *err, size_t errlen)
{
    static const struct option options[] = {
        {"out", required_argument, 0, 'o'}, {"per-class", required_argument, 0, 'n'},
        {"seed", required_argument, 0, 's'}, {"soundfont", required_argument, 0, 'f'},
        {"samples", required_argument, 0, 'd'}, {"classes", required_argument, 0, 'c'},
        {"accompaniment", required_argument, 0, 'a'}, {"augment", required_argument, 0, 'g'},
        {"seconds", required_argument, 0, 'S'}, {"rate", required_argument, 0, 'r'},
        {"threads", required_argument, 0, 't'}, {"excerpts", required_argument, 0, 'e'},
        {"source-base", required_argument, 0, 'b'}, {"help", no_argument, 0, 'h'},
        {"version", no_argument, 0, 'V'},
        {0, 0, 0, 0},
    };
    *o = (cli_options){.seed = 1, .accomp_chance = 0.7, .accomp_db = -8,
                       .augment = AUGMENT_FULL, .seconds = 3, .rate = 44100,
                       .threads = 2, .excerpts_low = 2, .excerpts_high = 4,
                       .n_classes = CLASS_COUNT};
    for (int c = 0; c < CLASS_COUNT; c++) o->classes[c] = c;
    opterr = 0;
    optind = 1;
    int flag;
    while ((flag = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        if (flag == '?' || flag == ':')
            return status_fail(err, errlen, IRMAS_ERR_ARG, "%s: unknown option or missing value (see --help)",
                               argv[optind - 1]);
        irmas_status st = parse_flag(flag, optarg, o, err, errlen);
        if (st != IRMAS_OK) return st;
    }
    if (o->help || o->version) return IRMAS_OK;
    if (optind < argc)
        return status_fail(err, errlen, IRMAS_ERR_ARG, "%s: unexpected argument (see --help)", argv[optind]);
    if (!o->out_dir) return status_fail(err, errlen, IRMAS_ERR_ARG, "--out DIR is required (see --help)");
    if (!o->per_class) return status_fail(err, errlen, IRMAS_ERR_ARG, "--per-class N is required (see --help)");
    return IRMAS_OK;
}
