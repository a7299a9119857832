/* gdl encode, sequence and numeric inputs: FASTA, BED + reference, center-base examples, and
 * numeric TSV/NPY matrices. Called with the argv of gdl encode (argv[0] = "encode"). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "gdl/core.h"
#include "gdl/dataops.h"
#include "gdl/sequence.h"

void cli_encode_seq_usage(FILE *fp)
{
    fprintf(fp,
            "Usage: gdl encode [options] -o OUT.gdl SEQS.fa[.gz]\n"
            "       gdl encode [options] -o OUT.gdl --bed REGIONS.bed --ref GENOME.fa\n"
            "       gdl encode [options] -o OUT.gdl --task center-base --ref GENOME.fa [--bed R.bed]\n"
            "       gdl encode [options] -o OUT.gdl --shape C,L MARKS.tsv[.gz]|MARKS.npy\n\n"
            "Encodes sequences (one byte per base, one-hot when batches are built) or numeric\n"
            "tracks (float32, C x L per example) into a dataset. '-' as input is a VCF/BCF\n"
            "stream unless a sequence option is given: FASTA on stdin wants e.g. -n dna.\n\n"
            "Options:\n"
            "  -o, --output FILE     output dataset (.gdl), required\n"
            "  -l, --labels FILE     labels.tsv: header, then ID and one column per target\n"
            "      --keep-missing    keep examples without a label row (labels NaN)\n"
            "  -n, --name NAME       name of the input [dna; numeric for --shape]\n"
            "      --bed FILE        regions (chrom, 0-based start, end, name, label columns)\n"
            "      --ref FILE        reference FASTA, plain or bgzip, faidx-indexed (built if absent)\n"
            "  -w, --window INT      crop or pad (N) every sequence to INT bases around its centre\n"
            "      --rc              add the reverse complement of each sequence (ID:rc)\n"
            "      --order K         one-hot order of the batches: 1 bases (4 channels), 2\n"
            "                        dinucleotides (16 channels, AA AC .. TT, a pair per\n"
            "                        position and the last position empty) [1]\n"
            "      --task NAME       center-base: flanks as input, the centre base as the label\n"
            "      --flank INT       center-base: bases on each side [50]\n"
            "      --stride INT      center-base: step between centre positions [1]\n"
            "      --shape C,L       numeric input: C channels x L positions per row (a TSV\n"
            "                        header NAME_1 .. NAME_L per channel names the channels)\n"
            "      --ids FILE        numeric .npy input: one ID per line, one line per row\n"
            CLI_COMMON_USAGE);
}

static void usage(FILE *fp) { cli_encode_seq_usage(fp); }

enum { OPT_KEEP = 256, OPT_BED, OPT_REF, OPT_RC, OPT_TASK, OPT_FLANK, OPT_STRIDE, OPT_SHAPE, OPT_IDS, OPT_ORDER };

static int parse_shape(const char *s, int64_t *c, int64_t *l)
{
    long long a, b;
    char tail;
    if (sscanf(s, "%lld,%lld%c", &a, &b, &tail) != 2 || a < 1 || b < 1 || a > (1 << 20) ||
        b > (1 << 30))
        return -1;
    *c = a;
    *l = b;
    return 0;
}

int gdl_cmd_encode_sequences(int argc, char *argv[])
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'}, {"labels", required_argument, NULL, 'l'},
        {"keep-missing", no_argument, NULL, OPT_KEEP}, {"name", required_argument, NULL, 'n'},
        {"bed", required_argument, NULL, OPT_BED}, {"ref", required_argument, NULL, OPT_REF},
        {"window", required_argument, NULL, 'w'}, {"rc", no_argument, NULL, OPT_RC},
        {"task", required_argument, NULL, OPT_TASK}, {"flank", required_argument, NULL, OPT_FLANK},
        {"stride", required_argument, NULL, OPT_STRIDE},
        {"shape", required_argument, NULL, OPT_SHAPE}, {"ids", required_argument, NULL, OPT_IDS},
        {"order", required_argument, NULL, OPT_ORDER},
        CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
    const char *cmd = "encode";
    gdl_encode_seq_opts_t so = {.flank = 50, .stride = 1, .order = 1};
    gdl_encode_numeric_opts_t no = {0};
    int c, r, numeric = 0;
    long v;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:l:n:w:" CLI_COMMON_SHORTOPTS, longopts, NULL)) >= 0) {
        switch (c) {
        case 'h': usage(stdout); return EXIT_OK;
        case 'o': so.output = no.output = optarg; break;
        case 'l': so.labels = no.labels = optarg; break;
        case OPT_KEEP: so.keep_missing = no.keep_missing = 1; break;
        case 'n': so.name = no.name = optarg; break;
        case OPT_BED: so.bed = optarg; break;
        case OPT_REF: so.ref = optarg; break;
        case OPT_RC: so.rc = 1; break;
        case OPT_IDS: no.ids = optarg; break;
        case OPT_ORDER:
            if (cli_parse_long(optarg, &v) || v < 1 || v > 2)
                return cli_usage_error(cmd, usage, "--order: expected 1 or 2, got '%s'", optarg);
            so.order = (int)v;
            break;
        case 'w':
            if (cli_parse_long(optarg, &v) || v < 1 || v > (1L << 30))
                return cli_usage_error(cmd, usage, "--window: expected a positive integer, got '%s'", optarg);
            so.window = v;
            break;
        case OPT_FLANK:
        case OPT_STRIDE:
            if (cli_parse_long(optarg, &v) || v < 1 || (c == OPT_FLANK && v > 4096))
                return cli_usage_error(cmd, usage, "--%s: expected a positive integer%s, got '%s'",
                                       c == OPT_FLANK ? "flank" : "stride",
                                       c == OPT_FLANK ? " up to 4096" : "", optarg);
            if (c == OPT_FLANK) so.flank = v;
            else so.stride = v;
            break;
        case OPT_TASK:
            if (strcmp(optarg, "center-base") != 0)
                return cli_usage_error(cmd, usage, "--task: unknown task '%s' (center-base)", optarg);
            so.task = GDL_SEQ_TASK_CENTER_BASE;
            break;
        case OPT_SHAPE:
            if (parse_shape(optarg, &no.channels, &no.length))
                return cli_usage_error(cmd, usage, "--shape: expected C,L (positive), got '%s'", optarg);
            numeric = 1;
            break;
        default:
            if ((r = cli_common_option(cmd, c, optarg)) < 0) return EXIT_USAGE;
            if (r == 0) return cli_usage_error(cmd, usage, NULL);
        }
    }
    int nin = argc - optind;
    if (!so.output) return cli_usage_error(cmd, usage, "-o/--output is required");
    if (cli_check_outputs(cmd, 1, (const char *[]){so.output}) != EXIT_OK) return EXIT_RUNTIME;
    if (numeric) {
        if (nin != 1) return cli_usage_error(cmd, usage, "--shape: expected one TSV or NPY input");
        if (so.bed || so.ref || so.window || so.rc || so.task || so.order != 1)
            return cli_usage_error(cmd, usage, "--shape (numeric input) takes no sequence options");
        no.input = argv[optind];
        size_t n = strlen(no.input);
        int npy = n > 4 && strcmp(no.input + n - 4, ".npy") == 0;
        if (npy && !no.ids) return cli_usage_error(cmd, usage, ".npy input needs --ids FILE");
        if (!npy && no.ids) return cli_usage_error(cmd, usage, "--ids is for .npy input only");
        return gdl_encode_numeric(&no) ? cli_runtime_error(cmd) : EXIT_OK;
    }
    if (no.ids) return cli_usage_error(cmd, usage, "--ids is for .npy input with --shape");
    if (so.task == GDL_SEQ_TASK_CENTER_BASE) {
        if (!so.ref || nin) return cli_usage_error(cmd, usage, "--task center-base needs --ref and no input file");
        if (so.rc || so.labels || so.window)
            return cli_usage_error(cmd, usage, "--task center-base makes its own labels and windows (no --rc, --labels, --window)");
    } else if (so.bed || so.ref) {
        if (!so.bed || !so.ref || nin)
            return cli_usage_error(cmd, usage, "--bed and --ref go together, without an input file");
    } else {
        if (nin != 1) return cli_usage_error(cmd, usage, "expected one FASTA input, got %d", nin);
        so.fasta = argv[optind];
    }
    return gdl_encode_sequences(&so) ? cli_runtime_error(cmd) : EXIT_OK;
}
