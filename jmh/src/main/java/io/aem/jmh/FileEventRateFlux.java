package io.aem.jmh;

/** The library's receiver for {@link FileEventRate}; filled in once the watch source is in main. */
final class FileEventRateFlux {
    private FileEventRateFlux() {
    }

    static FileEventRate.ReceiverFactory factory() {
        throw new UnsupportedOperationException("the watch source (Aem.watch) is not in this build yet");
    }
}
