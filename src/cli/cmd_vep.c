/* gdl vep: the effect of each variant of a VCF on a DNA sequence model's outputs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gdl/core.h"
#include "gdl/vep.h"

static void usage(FILE *fp)
{
    fprintf(fp,
        "Usage: gdl vep -m MODEL.gdl [-m MODEL2.gdl ...] -i VARIANTS.vcf.gz|bcf|- --ref GENOME.fa -o OUT\n\n"
        "Scores every ALT allele of every record with DNA sequence models: the model's input window\n"
        "read from the reference with REF's first base at position L/2 (0-based), and the same\n"
        "window with REF replaced by ALT (an insertion pushes the right flank out, a deletion pulls\n"
        "more reference in, so the window keeps its length). REF is checked against the reference\n"
        "(case-insensitive); symbolic and breakend ALTs are skipped and counted. The sample columns\n"
        "are not parsed but with --keep-samples. OUT is a TSV (chrom pos id ref alt target ref_score alt_score diff\n"
        "logfc; diff = alt - ref, logfc = logit(alt) - logit(ref) for probabilities, NA for\n"
        "regression; a categorical target gives one row per class, TARGET:CLASS), or with --wide one\n"
        "row per allele and one column per target, or a VCF/BCF: each record as read (sites only,\n"
        "or with --keep-samples its sample columns too) plus INFO GDL_<target>=diff per ALT\n"
        "(Number=A, '.' where not scored) and the flag GDL_REF_MISMATCH. With -v on a terminal a\n"
        "progress bar shows the bytes read (regions done with --regions).\n\n"
        "Options:\n"
        "  -m, --model FILE      a sequence model made by gdl train (repeat to average several)\n"
        "  -i, --input FILE      VCF or BCF, plain or bgzip, - for stdin\n"
        "      --ref FILE        reference FASTA, plain or bgzip, faidx-indexed (built if absent)\n"
        "  -o, --output FILE     output, - for stdout [-]\n"
        "  -O, --output-type T   t TSV, v VCF, z bgzip VCF, b BCF [from the name: .vcf v, .vcf.gz z,\n"
        "                        .bcf b, else t]\n"
        "      --ref-mismatch M  a REF unlike the reference: skip (counted, the first 5 listed on\n"
        "                        stderr), fail (exit 2 naming the record) or score [skip]\n"
        "      --chr-alias       a contig the reference lacks is tried with 'chr' added or removed\n"
        "      --rc              each score the mean of the window and its reverse complement\n"
        "      --regions LIST    CHR or CHR:BEG-END, comma-separated, read through the index\n"
        "      --top K           TSV: only the K outputs with the largest |diff| per allele [all]\n"
        "      --wide SCORE      TSV: one row per allele, a column per output holding SCORE: diff,\n"
        "                        logfc, ref or alt\n"
        "      --keep-samples    VCF/BCF: copy the sample columns (parsed: slower on a cohort)\n"
        "      --windows FILE    also write every window scored as FASTA (ID:ref, ID:alt; ID =\n"
        "                        CHROM:POS:REF:ALT), to check them or score them with gdl predict\n"
        "      --write-index     write OUT.csi beside a -O z or -O b output\n"
        "      --batch INT       ALT alleles per forward pass (two windows each) [128]\n" CLI_COMMON_USAGE);
}

enum { OPT_REF = 1000, OPT_MISMATCH, OPT_ALIAS, OPT_RC, OPT_REGIONS, OPT_TOP, OPT_WIDE, OPT_KEEP, OPT_WINDOWS, OPT_INDEX,
       OPT_BATCH };

/* -O from the output's name when not given. */
static char format_of(const char *path)
{
    size_t n = strlen(path);
    if (n > 7 && !strcmp(path + n - 7, ".vcf.gz")) return 'z';
    if (n > 4 && !strcmp(path + n - 4, ".vcf")) return 'v';
    if (n > 4 && !strcmp(path + n - 4, ".bcf")) return 'b';
    return 't';
}

static int parse(int argc, char *argv[], gdl_vep_opts_t *o, const char **models)
{
    static const struct option longopts[] = {
        {"model", required_argument, NULL, 'm'}, {"input", required_argument, NULL, 'i'},
        {"ref", required_argument, NULL, OPT_REF}, {"output", required_argument, NULL, 'o'},
        {"output-type", required_argument, NULL, 'O'}, {"ref-mismatch", required_argument, NULL, OPT_MISMATCH},
        {"chr-alias", no_argument, NULL, OPT_ALIAS}, {"rc", no_argument, NULL, OPT_RC},
        {"regions", required_argument, NULL, OPT_REGIONS}, {"top", required_argument, NULL, OPT_TOP},
        {"wide", required_argument, NULL, OPT_WIDE}, {"keep-samples", no_argument, NULL, OPT_KEEP},
        {"windows", required_argument, NULL, OPT_WINDOWS}, {"write-index", no_argument, NULL, OPT_INDEX},
        {"batch", required_argument, NULL, OPT_BATCH}, CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
    long v;
    int c, r;
    while ((c = getopt_long(argc, argv, "m:i:o:O:" CLI_COMMON_SHORTOPTS, longopts, NULL)) >= 0) {
        switch (c) {
        case 'h': usage(stdout); return 0;
        case 'm': models[o->n_models++] = optarg; break;
        case 'i': o->input = optarg; break;
        case OPT_REF: o->ref = optarg; break;
        case 'o': o->out = optarg; break;
        case 'O':
            if (strlen(optarg) != 1 || !strchr("tvzb", optarg[0]))
                return cli_usage_error("vep", usage, "-O: expected t, v, z or b, got '%s'", optarg);
            o->format = optarg[0];
            break;
        case OPT_MISMATCH:
            if (!strcmp(optarg, "skip")) o->mismatch = GDL_VEP_MISMATCH_SKIP;
            else if (!strcmp(optarg, "fail")) o->mismatch = GDL_VEP_MISMATCH_FAIL;
            else if (!strcmp(optarg, "score")) o->mismatch = GDL_VEP_MISMATCH_SCORE;
            else return cli_usage_error("vep", usage, "--ref-mismatch: expected skip, fail or score, got '%s'", optarg);
            break;
        case OPT_ALIAS: o->chr_alias = 1; break;
        case OPT_RC: o->rc = 1; break;
        case OPT_REGIONS: o->regions = optarg; break;
        case OPT_WINDOWS: o->windows = optarg; break;
        case OPT_INDEX: o->write_index = 1; break;
        case OPT_KEEP: o->keep_samples = 1; break;
        case OPT_WIDE:
            if (!strcmp(optarg, "diff")) o->layout = GDL_VEP_WIDE_DIFF;
            else if (!strcmp(optarg, "logfc")) o->layout = GDL_VEP_WIDE_LOGFC;
            else if (!strcmp(optarg, "ref")) o->layout = GDL_VEP_WIDE_REF;
            else if (!strcmp(optarg, "alt")) o->layout = GDL_VEP_WIDE_ALT;
            else return cli_usage_error("vep", usage, "--wide: expected diff, logfc, ref or alt, got '%s'", optarg);
            break;
        case OPT_TOP:
        case OPT_BATCH:
            if (cli_parse_long(optarg, &v) || v < 1 || v > 1 << 20)
                return cli_usage_error("vep", usage, "--%s: expected an integer from 1 to 1048576, got '%s'",
                                       c == OPT_TOP ? "top" : "batch", optarg);
            if (c == OPT_TOP) o->top = (int)v;
            else o->batch = v;
            break;
        default:
            if ((r = cli_common_option("vep", c, optarg)) < 0) return EXIT_USAGE;
            if (r == 0) return cli_usage_error("vep", usage, NULL);
        }
    }
    if (optind != argc) return cli_usage_error("vep", usage, "unexpected argument '%s'", argv[optind]);
    if (!o->n_models || !o->input || !o->ref) return cli_usage_error("vep", usage, "-m MODEL, -i VARIANTS and --ref GENOME are required");
    if (!o->format) o->format = format_of(o->out);
    if (o->top && o->format != 't') return cli_usage_error("vep", usage, "--top goes with a TSV output (-O t)");
    if (o->layout != GDL_VEP_LONG && o->format != 't')
        return cli_usage_error("vep", usage, "--wide goes with a TSV output (-O t)");
    if (o->layout != GDL_VEP_LONG && o->top)
        return cli_usage_error("vep", usage, "--wide writes every output: no --top");
    if (o->keep_samples && o->format == 't')
        return cli_usage_error("vep", usage, "--keep-samples goes with a VCF/BCF output (-O v, z or b)");
    if (o->write_index && (o->format == 't' || o->format == 'v'))
        return cli_usage_error("vep", usage, "--write-index needs -O z or -O b");
    if (o->write_index && !strcmp(o->out, "-")) return cli_usage_error("vep", usage, "--write-index needs an output file");
    return -1; // parsed: run
}

int gdl_cmd_vep(int argc, char *argv[])
{
    const char **models = calloc((size_t)argc, sizeof *models);
    gdl_vep_opts_t o = {.out = "-", .model_paths = models};
    if (!models) return EXIT_RUNTIME;
    int ret = parse(argc, argv, &o, models);
    if (ret < 0) ret = gdl_vep(&o) == 0 ? EXIT_OK : cli_runtime_error("vep");
    free(models);
    return ret;
}
