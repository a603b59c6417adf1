package dev.genlab.tracking.claims;

import java.nio.file.Path;

/**
 * A claim file that cannot be read (damaged, edited by hand, or written by an incompatible genlab): the
 * message names the file and what to do. Claim files are only ever replaced whole (written aside, then
 * linked or renamed into place), so a crash never leaves one half-written; an unreadable one needs a person.
 */
public final class ClaimFileException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /**
     * @param file the unreadable file
     * @param problem what is wrong with it
     * @param cause the parse error, or null
     */
    public ClaimFileException(Path file, String problem, Throwable cause) {
        super("claim file " + file + " is unreadable: " + problem + ". It only records which process works on '"
                + file.getParent().getFileName() + "' (no results are lost with it). Stop every genlab process "
                + "of this sweep that uses the store, delete the file (rm '" + file + "'), and start again with "
                + "--resume: the work resumes from its last checkpoint.", cause);
        this.file = file;
    }

    /** @return the unreadable file */
    public Path file() {
        return file;
    }
}
