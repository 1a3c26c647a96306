/* irmas-vamp.cpp: irmas as a Vamp plugin, for Sonic Visualiser and the other
 * Vamp hosts music researchers look at audio with.
 *
 * The Vamp interface is C++; everything it does is the C host tagger
 * (host_tagger.h), the same resampler, classifier, gate and moving average
 * irmasd runs. Two outputs:
 *   probabilities  one value per class per hop, stamped with the end of the
 *                  window (the moment irmasd would report it); all 0 for a
 *                  window quieter than the gate;
 *   instrument     the top class as labelled segments ("silence" for gated
 *                  windows): a new instrument starts a segment only once it
 *                  has been on top for the minimum segment length.
 * Parameters: hop, smoothing, gate, minimum segment. Vamp parameters are
 * numbers, so the model is a program ("default", and "audioset-head" when
 * installed with its weights) or, for any file, the IRMAS_MODEL environment
 * variable.
 */
#include <vamp-sdk/Plugin.h>
#include <vamp-sdk/PluginAdapter.h>

#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

extern "C" {
#include "config.h"
#include "host_tagger.h"
#include "model_file.h"
}

namespace {

const char *const program_names[] = {"default", "audioset-head"};

class IrmasVamp : public Vamp::Plugin {
  public:
    explicit IrmasVamp(float rate) : Vamp::Plugin(rate) {}
    ~IrmasVamp() override { host_tagger_free(tagger_); }

    std::string getIdentifier() const override { return "irmas"; }
    std::string getName() const override { return "irmas instrument tagger"; }
    std::string getDescription() const override
    {
        return "Which of 11 instruments play (cello, clarinet, flute, "
               "acoustic and electric guitar, organ, piano, saxophone, "
               "trumpet, violin, voice), several times a second";
    }
    std::string getMaker() const override { return "irmasd"; }
    int getPluginVersion() const override { return 1; }
    std::string getCopyright() const override { return "MIT licence"; }

    InputDomain getInputDomain() const override { return TimeDomain; }
    size_t getPreferredBlockSize() const override { return 1024; }
    size_t getPreferredStepSize() const override { return 1024; }
    size_t getMinChannelCount() const override { return 1; }
    size_t getMaxChannelCount() const override { return 8; }

    ParameterList getParameterDescriptors() const override
    {
        ParameterList list;
        list.push_back(parameter("hop", "Hop", "Time between windows", "s",
                                 0.05f, 3.0f, 0.5f));
        list.push_back(parameter("smooth", "Smoothing",
                                 "Time constant of the moving average over "
                                 "windows (0: off)", "s", 0.0f, 10.0f, 0.0f));
        list.push_back(parameter("gate", "Silence gate",
                                 "Windows quieter than this are silence",
                                 "dBFS", -120.0f, 0.0f, -60.0f));
        list.push_back(parameter("minsegment", "Minimum segment",
                                 "How long an instrument must stay on top "
                                 "to start a segment", "s", 0.0f, 10.0f, 1.0f));
        return list;
    }

    float getParameter(std::string id) const override
    {
        if (id == "hop") return hop_;
        if (id == "smooth") return smooth_;
        if (id == "gate") return gate_;
        if (id == "minsegment") return min_segment_;
        return 0.0f;
    }

    void setParameter(std::string id, float value) override
    {
        if (id == "hop") hop_ = value;
        else if (id == "smooth") smooth_ = value;
        else if (id == "gate") gate_ = value;
        else if (id == "minsegment") min_segment_ = value;
    }

    ProgramList getPrograms() const override
    {
        return ProgramList(std::begin(program_names), std::end(program_names));
    }
    std::string getCurrentProgram() const override { return program_; }
    void selectProgram(std::string name) override
    {
        program_ = name;
        labels_.clear();
    }

    OutputList getOutputDescriptors() const override
    {
        const std::vector<std::string> &labels = model_labels();
        OutputList list;
        OutputDescriptor probs;
        probs.identifier = "probabilities";
        probs.name = "Instrument probabilities";
        probs.description = "Each class's probability in the window ending "
                            "at the time given";
        probs.hasFixedBinCount = true;
        probs.binCount = labels.size();
        probs.binNames = labels;
        probs.hasKnownExtents = true;
        probs.minValue = 0.0f;
        probs.maxValue = 1.0f;
        probs.isQuantized = false;
        probs.sampleType = OutputDescriptor::VariableSampleRate;
        probs.sampleRate = 1.0f / hop_;
        probs.hasDuration = false;
        list.push_back(probs);

        OutputDescriptor top;
        top.identifier = "instrument";
        top.name = "Instrument";
        top.description = "The top class as segments, or silence";
        top.hasFixedBinCount = true;
        top.binCount = 0;
        top.sampleType = OutputDescriptor::VariableSampleRate;
        top.sampleRate = 1.0f / hop_;
        top.hasDuration = true;
        list.push_back(top);
        return list;
    }

    bool initialise(size_t channels, size_t step, size_t block) override
    {
        if (channels < getMinChannelCount() || channels > getMaxChannelCount() ||
            step != block)
            return false;
        channels_ = (int)channels;
        block_ = (long)block;
        host_tagger_free(tagger_);
        tagger_ = nullptr;
        irmas_model *m = nullptr;
        char err[1024];
        if (host_tagger_load(path().c_str(), &m, err, sizeof err) != IRMAS_OK ||
            host_tagger_new(m, m_inputSampleRate, hop_, gate_, smooth_, &tagger_,
                            err, sizeof err) != IRMAS_OK) {
            std::fprintf(stderr, "irmas: %s\n", err);
            return false;
        }
        reset();
        return true;
    }

    void reset() override
    {
        if (tagger_) {
            /* A fresh tagger: the host starts the audio again. */
            irmas_model *m = nullptr;
            char err[1024];
            host_tagger *fresh = nullptr;
            if (host_tagger_load(path().c_str(), &m, err, sizeof err) == IRMAS_OK &&
                host_tagger_new(m, m_inputSampleRate, hop_, gate_, smooth_,
                                &fresh, err, sizeof err) == IRMAS_OK) {
                host_tagger_free(tagger_);
                tagger_ = fresh;
            }
        }
        segment_open_ = false;
        candidate_.clear();
    }

    FeatureSet process(const float *const *input, Vamp::RealTime) override
    {
        FeatureSet out;
        if (!tagger_) return out;
        collecting_ = &out;
        host_tagger_push(tagger_, input, channels_, block_, on_window, this);
        collecting_ = nullptr;
        return out;
    }

    FeatureSet getRemainingFeatures() override
    {
        FeatureSet out;
        if (!tagger_) return out;
        collecting_ = &out;
        host_tagger_finish(tagger_, on_window, this);
        if (segment_open_) close_segment(last_end_);
        collecting_ = nullptr;
        return out;
    }

  private:
    static ParameterDescriptor parameter(const char *id, const char *name,
                                         const char *description,
                                         const char *unit, float low,
                                         float high, float value)
    {
        ParameterDescriptor d;
        d.identifier = id;
        d.name = name;
        d.description = description;
        d.unit = unit;
        d.minValue = low;
        d.maxValue = high;
        d.defaultValue = value;
        d.isQuantized = false;
        return d;
    }

    /* The model file: $IRMAS_MODEL, else the program's model, found as
     * irmasd finds the default one. */
    std::string path() const
    {
        const char *env = std::getenv("IRMAS_MODEL");
        if (env && *env) return env;
        char shipped[PATH_MAX];
        return model_shipped_path(program_.c_str(), shipped, sizeof shipped);
    }

    /* The model's labels, read once per program. */
    const std::vector<std::string> &model_labels() const
    {
        if (labels_.empty()) {
            irmas_model *m = nullptr;
            char err[1024];
            if (host_tagger_load(path().c_str(), &m, err, sizeof err) == IRMAS_OK) {
                for (int c = 0; c < m->classes; c++) labels_.push_back(m->labels[c]);
                irmas_model_free(m);
            } else {
                std::fprintf(stderr, "irmas: %s\n", err);
            }
        }
        return labels_;
    }

    static void on_window(void *user, const float *probs, double, double end)
    {
        static_cast<IrmasVamp *>(user)->window(probs, end);
    }

    void window(const float *probs, double end)
    {
        const irmas_model *m = host_tagger_model(tagger_);
        Feature f;
        f.hasTimestamp = true;
        f.timestamp = Vamp::RealTime::fromSeconds(end);
        int top = -1;
        for (int c = 0; c < m->classes; c++) {
            f.values.push_back(probs ? probs[c] : 0.0f);
            if (probs && (top < 0 || probs[c] > probs[top])) top = c;
        }
        (*collecting_)[0].push_back(f);
        /* A window speaks for the audio since the one before it; the first
         * one for all it heard. */
        std::string label = top < 0 ? "silence" : m->labels[top];
        double start = segment_open_ ? last_end_
                                     : end - (double)m->window_samples /
                                                 m->sample_rate;
        follow(label, start < 0 ? 0 : start, end);
    }

    /* Segments with a minimum length: a new label takes over once it has
     * held for min_segment_ seconds, from where it began. */
    void follow(const std::string &label, double start, double end)
    {
        last_end_ = end;
        if (!segment_open_) {
            segment_label_ = label;
            segment_start_ = start;
            segment_open_ = true;
        } else if (label == segment_label_) {
            candidate_.clear();
        } else {
            if (label != candidate_) {
                candidate_ = label;
                candidate_start_ = start;
            }
            if (end - candidate_start_ >= min_segment_) {
                close_segment(candidate_start_);
                segment_label_ = candidate_;
                segment_start_ = candidate_start_;
                segment_open_ = true;
                candidate_.clear();
            }
        }
    }

    void close_segment(double end)
    {
        Feature f;
        f.hasTimestamp = true;
        f.timestamp = Vamp::RealTime::fromSeconds(segment_start_);
        f.hasDuration = true;
        f.duration = Vamp::RealTime::fromSeconds(end - segment_start_);
        f.label = segment_label_;
        (*collecting_)[1].push_back(f);
        segment_open_ = false;
    }

    float hop_ = 0.5f, smooth_ = 0.0f, gate_ = -60.0f, min_segment_ = 1.0f;
    std::string program_ = "default";
    mutable std::vector<std::string> labels_;
    host_tagger *tagger_ = nullptr;
    int channels_ = 1;
    long block_ = 1024;
    FeatureSet *collecting_ = nullptr;
    bool segment_open_ = false;
    std::string segment_label_, candidate_;
    double segment_start_ = 0, candidate_start_ = 0, last_end_ = 0;
};

Vamp::PluginAdapter<IrmasVamp> adapter;

} // namespace

extern "C" const VampPluginDescriptor *
vampGetPluginDescriptor(unsigned int version, unsigned int index)
{
    if (version < 1 || index > 0) return nullptr;
    return adapter.getDescriptor();
}
